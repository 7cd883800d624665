"""Invoices emailed to their client from the firm's ``invoice-sent`` template: refused when they cannot be
sent, recorded once per request, sent at most once after commit, and tracked from anymail's events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from anymail.message import AnymailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.log_actions import log

from .. import audit, money
from ..firm import firm_details
from ..invoices.sites import invoice_site
from ..models import InvoicePage, InvoiceReminder, InvoiceSending, ReminderStatus, SendingStatus
from ..models.settings import BillingSettings
from ..pdfs.documents import invoice_pdf
from ..signals import invoice_sending_requested
from .messages import attach_pdf, build_email

logger = logging.getLogger(__name__)

INVOICE_TAG = "invoice-sent"


def refusal(invoice: InvoicePage) -> str:
    """Why ``invoice`` cannot be emailed now; empty when it can."""
    number = invoice.invoice_number
    if not invoice.live:
        return gettext("Invoice %(number)s is a draft: publish it before sending it.") % {"number": number}
    if invoice.voided_at:
        return gettext("Invoice %(number)s is void and cannot be sent.") % {"number": number}
    if not invoice.client.contact_email:
        return gettext(
            "Invoice %(number)s was not sent: its client, %(client)s, has no primary contact email."
        ) % {"number": number, "client": invoice.client.name}
    return ""


def billing_for(invoice: InvoicePage) -> BillingSettings | None:
    site = invoice_site(invoice)
    return BillingSettings.for_site(site) if site else None


def firm_copy_address(invoice: InvoicePage) -> str:
    """Where the firm's copy goes when staff ask for one: the site's billing email, if it has one."""
    billing = billing_for(invoice)
    return billing.billing_email if billing else ""


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What asking to send an invoice did: ``refused`` (nothing recorded), or the sending, new or not."""

    invoice: InvoicePage
    refused: str = ""
    sending: InvoiceSending | None = None
    created: bool = False


def request_sending(invoice: InvoicePage, *, user, cc_firm: bool, request_key: str) -> SendRequest:
    """Record that ``user`` asked to email ``invoice`` and queue it for after commit.

    ``request_key`` comes from the form that asked: the same key again (a double click, a resubmitted
    form) finds the first request and sends nothing more.
    """
    with transaction.atomic():
        # Read again under the row lock, so that a void or an unpublish meanwhile is seen.
        locked = InvoicePage.objects.select_for_update().select_related("client").get(pk=invoice.pk)
        existing = InvoiceSending.objects.filter(request_key=request_key).first()
        if existing is not None:
            return SendRequest(locked, sending=existing)
        reason = refusal(locked)
        if reason:
            return SendRequest(locked, refused=reason)
        cc = firm_copy_address(locked) if cc_firm else ""
        try:
            with transaction.atomic():
                sending = InvoiceSending.objects.create(
                    invoice=locked,
                    sent_by=user,
                    to_email=locked.client.contact_email,
                    cc_email=cc,
                    request_key=request_key,
                )
        except IntegrityError:
            # The same form submitted twice at once: the other submission recorded it.
            return SendRequest(locked, sending=InvoiceSending.objects.get(request_key=request_key))
        log(
            instance=locked,
            action=audit.INVOICE_SENT,
            user=user,
            data={"to": sending.to_email, "cc": cc, "sending_id": sending.pk},
        )
        invoice_sending_requested.send(sender=InvoiceSending, sending=sending)
    return SendRequest(locked, sending=sending, created=True)


def invoice_values(invoice: InvoicePage, billing: BillingSettings | None) -> dict[str, str]:
    client = invoice.client
    return {
        "invoice_number": invoice.invoice_number,
        "client_name": client.name,
        "contact_name": client.contact_name or client.name,
        "total": money.format_money(invoice.total, invoice.currency),
        "amount_due": money.format_money(max(invoice.balance, Decimal(0)), invoice.currency),
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "invoice_link": invoice.get_full_url() or "",
        **firm_details(billing.site if billing else None).merge_values(),
    }


def build_invoice_email(sending: InvoiceSending) -> AnymailMessage:
    invoice = sending.invoice.specific
    billing = billing_for(invoice)
    message = build_email(
        INVOICE_TAG,
        invoice_values(invoice, billing),
        to=[sending.to_email],
        cc=[sending.cc_email] if sending.cc_email else None,
        reply_to=billing.billing_email if billing else "",
        metadata={
            "invoice_sending_id": str(sending.pk),
            "invoice_id": str(invoice.pk),
            "invoice_number": invoice.invoice_number,
        },
    )
    if billing is not None and billing.attach_invoice_pdf:
        # The same PDF as the client's download: the invoice as published, with its payments so far.
        attach_pdf(
            message,
            partial(invoice_pdf, invoice),
            logger=logger,
            what=f"Invoice PDF of invoice {invoice.invoice_number} (sending {sending.pk})",
        )
    return message


def deliver_sending(sending_id: int) -> str:
    """Send one requested sending, at most once: claimed by one conditional UPDATE, sent outside any
    transaction, then its outcome written (as receipts are)."""
    now = timezone.now()
    claimed = InvoiceSending.objects.filter(pk=sending_id, status=SendingStatus.QUEUED).update(
        status=SendingStatus.SENDING, status_changed_at=now
    )
    if not claimed:
        return "already sent"
    sending = InvoiceSending.objects.select_related("invoice", "invoice__client").get(pk=sending_id)
    mine = InvoiceSending.objects.filter(pk=sending_id, status=SendingStatus.SENDING)
    # A queued email may wait for a worker: an invoice voided or unpublished meanwhile is not sent.
    reason = refusal(sending.invoice.specific)
    if reason:
        mine.update(status=SendingStatus.FAILED, error=reason, status_changed_at=timezone.now())
        return "refused"
    return send_tracked(
        partial(build_invoice_email, sending), mine, sending.to_email, f"Invoice email {sending.pk}"
    )


def send_tracked(
    make: Callable[[], AnymailMessage],
    mine: QuerySet[InvoiceSending] | QuerySet[InvoiceReminder],
    recipient: str,
    what: str,
) -> str:
    """Build and send one claimed invoice email (a sending or a reminder: ``mine`` is its row, still marked
    sending), outside any transaction, and write the outcome: sent with the ESP's id, or failed and why."""
    try:
        message = make()
        message.send()
    except Exception as error:
        logger.warning("%s not sent: %s", what, type(error).__name__)
        mine.update(
            status=SendingStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            status_changed_at=timezone.now(),
        )
        return "failed"
    now = timezone.now()
    mine.update(
        status=SendingStatus.SENT,
        message_id=message_id_of(message, recipient),
        sent_at=now,
        status_changed_at=now,
        error="",
    )
    return "sent"


def message_id_of(message: AnymailMessage, recipient: str) -> str:
    """The ESP's id of the message to the client; with a copy, some ESPs give each recipient its own."""
    status = message.anymail_status
    if status is None:
        return ""
    sent = (status.recipients or {}).get(recipient)
    value = sent.message_id if sent is not None else status.message_id
    return "" if value is None or isinstance(value, set) else str(value)


TRACKED = {
    "delivered": SendingStatus.DELIVERED,
    "bounced": SendingStatus.BOUNCED,
    "rejected": SendingStatus.BOUNCED,
    "failed": SendingStatus.FAILED,
}


def mark_from_tracking(event) -> bool:
    """Apply an anymail tracking event to the invoice email it concerns, a sending or a reminder (found by
    its metadata or its message id); reminders and sendings share these statuses."""
    new = TRACKED.get(getattr(event, "event_type", "") or "")
    if new is None:
        return False
    metadata = getattr(event, "metadata", None) or {}
    sendings = InvoiceSending.objects.exclude(status=SendingStatus.QUEUED)
    reminders = InvoiceReminder.objects.exclude(status=ReminderStatus.SKIPPED)
    sending_id = str(metadata.get("invoice_sending_id") or "")
    reminder_id = str(metadata.get("invoice_reminder_id") or "")
    found: list[QuerySet[InvoiceSending] | QuerySet[InvoiceReminder]]
    if sending_id.isdigit():
        found = [sendings.filter(pk=int(sending_id))]
    elif reminder_id.isdigit():
        found = [reminders.filter(pk=int(reminder_id))]
    elif getattr(event, "message_id", None) and not metadata.get("payment_id"):
        found = [sendings.filter(message_id=event.message_id), reminders.filter(message_id=event.message_id)]
    else:
        return False
    detail = getattr(event, "description", None) or getattr(event, "mta_response", None) or ""
    changes: dict = {"status": new, "status_changed_at": timezone.now()}
    if new != SendingStatus.DELIVERED:
        changes["error"] = str(detail)[:2000]
    return any([bool(emails.update(**changes)) for emails in found])
