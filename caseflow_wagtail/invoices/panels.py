"""Editor panels that show what the ledger knows about an invoice."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from wagtail.admin.panels import Panel

from ..models.reminders import InvoiceReminder, ReminderStatus, describe_days
from ..models.sending import InvoiceSending
from ..models.settings import BillingSettings
from ..permissions import has_billing_permission, may_send_invoices
from ..reminders.schedule import next_step, step_date, why_none
from .presentation import invoice_summary
from .sites import invoice_site


def reminder_outlook(invoice, sendings: list[InvoiceSending], reminders: list[InvoiceReminder]) -> str:
    """One sentence for staff: whether this invoice gets reminders, and the next one if it does."""
    site = invoice_site(invoice)
    billing = BillingSettings.for_site(site) if site else None
    reason = why_none(invoice, site_sends=billing is not None and billing.send_reminders)
    if reason or billing is None:
        return reason
    sent = [timezone.localdate(s.sent_at) for s in sendings if s.sent_at]
    if not sent:
        return gettext("Reminders start once the invoice has been sent by email.")
    today = timezone.localdate()
    days = next_step(
        today=today,
        due_date=invoice.due_date,
        steps=billing.reminder_steps.values_list("days", flat=True),
        first_sent=min(sent),
        recorded=[r.days for r in reminders if r.status != ReminderStatus.FAILED],
    )
    if days is None:
        return gettext("Every reminder of the schedule has been sent or passed.")
    return gettext("Next reminder: %(step)s, on or after %(date)s.") % {
        "step": describe_days(days),
        "date": date_format(step_date(invoice.due_date, days)),
    }


class InvoiceBillingPanel(Panel):
    """Payments, adjustments, balance, status and the public link, read-only, in the invoice editor."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "caseflow_wagtail/admin/invoice_billing_panel.html"

        def is_shown(self) -> bool:
            return has_billing_permission(getattr(self.request, "user", None)) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            invoice = self.instance
            context["invoice"] = invoice
            context["saved"] = bool(invoice.pk)
            if invoice.pk:
                context.update(invoice_summary(invoice, self.request))
                user = getattr(self.request, "user", None)
                context["may_send"] = may_send_invoices(user) and invoice.live and not invoice.voided_at
                # The ten latest: an invoice sent every week for a year still fits the tab.
                context["sendings"] = list(
                    InvoiceSending.objects.filter(invoice=invoice).select_related("sent_by")[:10]
                )
                context["reminders"] = list(InvoiceReminder.objects.filter(invoice=invoice))
                context["reminder_outlook"] = reminder_outlook(
                    invoice, context["sendings"], context["reminders"]
                )
            return context
