"""Billing → Payments and Billing → Adjustments: the listings, a payment's page with its Stripe fee, and
resending a receipt. Recorded entries are never edited or deleted here."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.widgets import Button

from .. import money
from ..exports import FormulaSafeExportMixin
from ..mail import receipts
from ..models import (
    Payment,
)
from ..models.payments import CARD_BRANDS
from ..payments import fees
from ..permissions import may_record_payments
from .base import ForbiddenMixin, InvoiceLinkColumn, StripeModeMixin

logger = logging.getLogger(__name__)


# -- Payments and Adjustments listings ------------------------------------------------------------------


class LedgerIndexView(ForbiddenMixin, StripeModeMixin, FormulaSafeExportMixin, IndexView):
    """A read-only listing of ledger entries: every row opens the inspect view, nothing is editable."""

    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().select_related("invoice", "invoice__client", "recorded_by")

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        # Stored with three places for every currency; a spreadsheet should see the currency's own, and
        # a fee its own currency's (the settlement currency, beside it in the export).
        if row.get("amount") is not None:
            row["amount"] = money.quantize(row["amount"], item.currency)
        for name in ("fee", "net"):
            if row.get(name) is not None:
                row[name] = money.quantize(row[name], item.fee_currency_code)
        if row.get("exchange_rate") is not None:
            row["exchange_rate"] = money.plain_rate(row["exchange_rate"])
        return row

    def amount_column(self) -> TitleColumn:
        return TitleColumn(
            "amount",
            label=_("Amount"),
            accessor="display_amount",
            sort_key="amount",
            get_url=self.get_inspect_url,
        )


class LedgerInspectView(ForbiddenMixin, InspectView):
    pass


def fee_text(payment: Payment, shown: str) -> str:
    """A fee or net already formatted in its own currency, or why there is none."""
    if shown:
        return shown
    # Asynchronous capture: Stripe reports the fee a little after the payment (charge.updated).
    return gettext("Fee pending") if payment.fee_pending else "—"


class PaymentInspectView(LedgerInspectView):
    # Fee and net are in the settlement currency, which need not be the payment's.
    def get_fee_display_value(self) -> str:
        return fee_text(self.object, self.object.display_fee)

    def get_net_display_value(self) -> str:
        return fee_text(self.object, self.object.display_net)

    def get_fee_currency_display_value(self) -> str:
        return self.object.fee_currency_code or "—"

    def get_exchange_rate_display_value(self) -> str:
        return self.object.display_exchange_rate or "—"

    def get_card_brand_display_value(self) -> str:
        return CARD_BRANDS.get(self.object.card_brand, self.object.card_brand) or "—"

    @cached_property
    def header_more_buttons(self) -> list[Button]:
        buttons = list(super().header_more_buttons)
        # The inspect view already required the billing permission, which is all the receipt needs.
        buttons.append(
            Button(
                gettext("Download receipt (PDF)"),
                url=reverse("caseflow_wagtail_admin:receipt_pdf", args=[self.object.pk]),
                icon_name="download",
                priority=20,
            )
        )
        if may_record_payments(self.request.user):
            buttons.append(
                Button(
                    gettext("Resend receipt"),
                    url=reverse("caseflow_wagtail_admin:resend_receipt", args=[self.object.pk]),
                    icon_name="mail",
                    priority=30,
                )
            )
        return buttons


class ResendReceiptView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    """Send a payment's receipt again (after a failure, or when the client lost it)."""

    template_name = "caseflow_wagtail/admin/confirm_resend_receipt.html"
    header_icon = "mail"
    page_title = _("Resend receipt")
    form_class = forms.Form

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.payment = get_object_or_404(
            Payment.objects.select_related("invoice__client"), pk=kwargs["payment_id"]
        )

    def check_permissions(self, request: HttpRequest) -> None:
        if not may_record_payments(request.user):
            raise PermissionDenied

    def inspect_url(self) -> str:
        return reverse("caseflow_payments:inspect", args=[self.payment.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            payment=self.payment,
            recipient=self.payment.invoice.specific.client.contact_email,
            action_url=self.request.get_full_path(),
            cancel_url=self.inspect_url(),
        )
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        outcome = receipts.deliver_receipt(self.payment.pk, again=True)
        if outcome == "sent":
            messages.success(self.request, gettext("The receipt was sent again."))
        elif outcome == "no recipient":
            messages.error(self.request, gettext("The client has no primary contact email; add one first."))
        else:
            messages.error(
                self.request,
                gettext("The receipt could not be sent; it will be retried. Check the mail service."),
            )
        return redirect(self.inspect_url())


class FeeColumn(Column):
    """Stripe's fee in its own currency (the settlement currency), or "Fee pending"."""

    def get_value(self, instance: Any) -> str:
        return fee_text(instance, instance.display_fee)


class PaymentIndexView(LedgerIndexView):
    results_template_name = "caseflow_wagtail/admin/payment_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            # Over every payment listed (the filters and search applied), not just this page.
            context["fee_totals"] = fees.totals(self.object_list)
        return context

    @cached_property
    def columns(self) -> list[Column]:
        return [
            self.amount_column(),
            FeeColumn("fee", label=_("Stripe fee"), classname="caseflow-money"),
            InvoiceLinkColumn("invoice", label=_("Invoice"), sort_key="invoice__invoice_number"),
            Column(
                "client", label=_("Client"), accessor="invoice.client.name", sort_key="invoice__client__name"
            ),
            Column("method", label=_("Method"), accessor="get_method_display", sort_key="method"),
            Column("source", label=_("Recorded from"), accessor="get_source_display", sort_key="source"),
            Column("received_on", label=_("Received on"), sort_key="received_on"),
            Column("reference", label=_("Reference")),
            Column(
                "receipt",
                label=_("Receipt"),
                accessor="get_receipt_status_display",
                sort_key="receipt_status",
            ),
        ]

    @cached_property
    def add_item_label(self) -> str:
        return gettext("Record payment")


class AdjustmentIndexView(LedgerIndexView):
    @cached_property
    def columns(self) -> list[Column]:
        return [
            self.amount_column(),
            Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
            InvoiceLinkColumn("invoice", label=_("Invoice"), sort_key="invoice__invoice_number"),
            Column(
                "client", label=_("Client"), accessor="invoice.client.name", sort_key="invoice__client__name"
            ),
            Column("reason", label=_("Reason")),
            Column("created_at", label=_("Recorded at"), sort_key="created_at"),
        ]

    @cached_property
    def add_item_label(self) -> str:
        return gettext("Record refund or credit")
