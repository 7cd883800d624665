"""Editor panels that show what the ledger knows about an invoice."""

from __future__ import annotations

from wagtail.admin.panels import Panel

from ..models.sending import InvoiceSending
from ..permissions import has_billing_permission, may_send_invoices
from .presentation import invoice_summary


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
            return context
