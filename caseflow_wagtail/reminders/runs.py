"""The reminder run: on each site that sends reminders, the invoices with a step due today, each step claimed
by a database row before its email goes, so that runs that overlap, or run twice a day, send nothing twice.

``plan`` says what a run would send (the admin's preview); ``run`` sends it. Both read the invoice's state at
that moment, so a payment recorded since the last run stops the next step.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from functools import partial

from anymail.message import AnymailMessage
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit
from ..invoices.sites import belongs_to
from ..mail.messages import attach_pdf, compose
from ..mail.sending import invoice_values, send_tracked
from ..models import (
    BillingSettings,
    InvoicePage,
    InvoiceReminder,
    InvoiceSending,
    ReminderStatus,
    ReminderStep,
)
from ..models.reminders import describe_days
from ..pdfs.documents import invoice_pdf
from .schedule import Due, due_today, step_date, why_none

logger = logging.getLogger(__name__)

REMINDER_TAG = "invoice-reminder"


@dataclass(frozen=True, slots=True)
class Planned:
    """A reminder a run would send today."""

    invoice: InvoicePage
    due: Due
    to_email: str
    today: datetime.date

    @property
    def step_label(self) -> str:
        return describe_days(self.due.days)

    @property
    def scheduled_for(self) -> datetime.date:
        return step_date(self.invoice.due_date, self.due.days)

    @property
    def is_late(self) -> bool:
        return self.scheduled_for < self.today


@dataclass(slots=True)
class SiteRun:
    """What one run did on one site."""

    site: Site
    enabled: bool
    sent: int = 0
    failed: int = 0
    passed_over: int = 0
    invoices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "site": self.site.pk,
            "enabled": self.enabled,
            "sent": self.sent,
            "failed": self.failed,
            "passed_over": self.passed_over,
            "invoices": list(self.invoices),
        }


def gets_reminders(invoice: InvoicePage) -> bool:
    """On a site that sends them: the invoice's own state and its client's choice."""
    return not why_none(invoice, site_sends=True)


def decide(invoice: InvoicePage, steps: list[int], spacing: int, today: datetime.date) -> Due | None:
    """The step due today for ``invoice``, from its sendings and reminders (prefetched or read here)."""
    sent = [timezone.localdate(s.sent_at) for s in invoice.sendings.all() if s.sent_at]
    if not sent:
        return None  # never before the invoice was first sent
    reminders = list(invoice.reminders.all())
    emailed = sent + [timezone.localdate(r.sent_at) for r in reminders if r.sent_at]
    return due_today(
        today=today,
        due_date=invoice.due_date,
        steps=steps,
        first_sent=min(sent),
        last_emailed=max(emailed),
        recorded=[r.days for r in reminders if r.status != ReminderStatus.FAILED],
        spacing=spacing,
    )


def candidates(site: Site, steps: list[int], today: datetime.date) -> QuerySet[InvoicePage]:
    """The site's invoices that may have a step due: sent, owing, not opted out, not past their last step."""
    recorded_last = InvoiceReminder.objects.filter(invoice=OuterRef("pk"), days__gte=max(steps)).exclude(
        status=ReminderStatus.FAILED
    )
    sent = InvoiceSending.objects.filter(invoice=OuterRef("pk"), sent_at__isnull=False)
    return (
        InvoicePage.objects.live()
        .descendant_of(site.root_page)
        .filter(
            Exists(sent),
            ~Exists(recorded_last),
            voided_at__isnull=True,
            balance__gt=0,
            reminders_paused=False,
            client__send_reminders=True,
            due_date__lte=today - datetime.timedelta(days=min(steps)),
        )
        .exclude(client__contact_email="")
        .select_related("client")
        .prefetch_related(
            Prefetch("sendings", queryset=InvoiceSending.objects.filter(sent_at__isnull=False)),
            "reminders",
        )
        .order_by("due_date", "pk")
    )


def plan(site: Site, billing: BillingSettings, today: datetime.date | None = None) -> list[Planned]:
    """The reminders a run on ``site`` would send ``today``."""
    today = today or timezone.localdate()
    steps = [step.days for step in billing.reminder_steps.all()]
    if not billing.send_reminders or not steps:
        return []
    planned = []
    for invoice in candidates(site, steps, today):
        if not belongs_to(invoice, site) or not gets_reminders(invoice):
            continue
        due = decide(invoice, steps, billing.reminder_spacing_days, today)
        if due is not None:
            planned.append(Planned(invoice, due, invoice.client.contact_email, today))
    return planned


@dataclass(frozen=True, slots=True)
class Claimed:
    reminder: InvoiceReminder
    passed_over: int


def claim(
    invoice_id: int, steps: dict[int, ReminderStep], spacing: int, today: datetime.date
) -> Claimed | None:
    """Record the step due today as being sent (and the ones it passes over), or None if another run has."""
    try:
        with transaction.atomic():
            # Only the invoice's own row: payments recorded meanwhile wait for this short transaction.
            invoice = (
                InvoicePage.objects.select_for_update(of=("self",))
                .select_related("client")
                .get(pk=invoice_id)
            )
            due = decide(invoice, list(steps), spacing, today) if gets_reminders(invoice) else None
            if due is None:
                return None
            rows = {row.days: row for row in invoice.reminders.all()}
            for days in due.passed_over:
                _record(invoice, rows.get(days), days, ReminderStatus.SKIPPED)
            reminder = _record(invoice, rows.get(due.days), due.days, ReminderStatus.SENDING)
            return Claimed(reminder, len(due.passed_over))
    except IntegrityError:
        return None  # another run recorded this step first: it sends it
    except OperationalError as error:
        # SQLite busy with another run past its timeout: the next run sees this invoice again.
        logger.warning("Reminder for invoice %s not claimed: %s", invoice_id, error)
        return None


def _record(invoice: InvoicePage, row: InvoiceReminder | None, days: int, status: str) -> InvoiceReminder:
    now = timezone.now()
    if row is None:
        return InvoiceReminder.objects.create(
            invoice=invoice,
            days=days,
            scheduled_for=step_date(invoice.due_date, days),
            status=status,
            to_email=invoice.client.contact_email if status == ReminderStatus.SENDING else "",
            status_changed_at=now,
        )
    # Only a failed step is taken up again; the conditional update loses to a run that took it first.
    retaken = InvoiceReminder.objects.filter(pk=row.pk, status=ReminderStatus.FAILED).update(
        status=status, to_email=invoice.client.contact_email, error="", status_changed_at=now
    )
    if not retaken:
        raise IntegrityError("reminder step already taken")
    row.refresh_from_db()
    return row


def deliver(reminder: InvoiceReminder, step: ReminderStep, billing: BillingSettings) -> str:
    """Send one claimed reminder, outside any transaction, and write what happened."""
    mine = InvoiceReminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING)
    invoice = InvoicePage.objects.select_related("client").get(pk=reminder.invoice_id)
    if invoice.balance <= 0:
        # Paid in the moment since the claim.
        mine.update(
            status=ReminderStatus.SKIPPED,
            error=gettext("Paid before it was sent."),
            status_changed_at=timezone.now(),
        )
        return "passed over"
    values = invoice_values(invoice, billing)
    values["days_overdue"] = str(max((timezone.localdate() - invoice.due_date).days, 0))

    def make() -> AnymailMessage:
        message = compose(
            step,
            REMINDER_TAG,
            values,
            to=[reminder.to_email],
            reply_to=billing.billing_email,
            metadata={
                "invoice_reminder_id": str(reminder.pk),
                "invoice_id": str(invoice.pk),
                "invoice_number": invoice.invoice_number,
            },
        )
        if billing.attach_invoice_pdf:
            attach_pdf(
                message,
                partial(invoice_pdf, invoice),
                logger=logger,
                what=f"Invoice PDF of invoice {invoice.invoice_number} (reminder {reminder.pk})",
            )
        return message

    outcome = send_tracked(make, mine, reminder.to_email, f"Reminder {reminder.pk}")
    if outcome != "sent":
        return outcome
    log(
        instance=invoice,
        action=audit.REMINDER_SENT,
        data={"to": reminder.to_email, "days": reminder.days, "step": describe_days(reminder.days)},
    )
    return "sent"


def run(site_id: int | None = None, today: datetime.date | None = None) -> list[SiteRun]:
    """Send today's reminders on every site (or one): what ``plan`` lists, each claimed first."""
    today = today or timezone.localdate()
    sites = Site.objects.select_related("root_page").order_by("pk")
    if site_id is not None:
        sites = sites.filter(pk=site_id)
    reports = []
    for site in sites:
        billing = BillingSettings.for_site(site)
        report = SiteRun(site, billing.send_reminders)
        reports.append(report)
        steps = {step.days: step for step in billing.reminder_steps.all()}
        for planned in plan(site, billing, today):
            claimed = claim(planned.invoice.pk, steps, billing.reminder_spacing_days, today)
            if claimed is None:
                continue
            report.passed_over += claimed.passed_over
            outcome = deliver(claimed.reminder, steps[claimed.reminder.days], billing)
            if outcome == "sent":
                report.sent += 1
                report.invoices.append(planned.invoice.invoice_number)
            elif outcome == "failed":
                report.failed += 1
    return reports
