"""Recording money by hand: payments staff received (transfers, cheques) and billing adjustments.

Money moves only through ``caseflow_wagtail.ledger``; these views collect and check what staff type and show
the ledger's refusals as form errors.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import AdminDateInput

from .. import ledger, money
from ..exceptions import LedgerError
from ..models import (
    Adjustment,
    AdjustmentKind,
    InvoicePage,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from .base import ForbiddenMixin, page_edit_url
from .fields import AmountField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


MANUAL_METHODS = [(value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.CARD]


# -- recording money by hand ----------------------------------------------------------------------------


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, invoice: InvoicePage) -> str:
        if invoice.voided_at:
            # Nothing is owed on a void invoice; it is offered only to refund what was received.
            return gettext("%(number)s — %(client)s (void; %(received)s refundable)") % {
                "number": invoice.invoice_number,
                "client": invoice.client.name,
                "received": money.format_money(
                    invoice.amount_paid - invoice.amount_refunded, invoice.currency
                ),
            }
        return gettext("%(number)s — %(client)s (balance %(balance)s)") % {
            "number": invoice.invoice_number,
            "client": invoice.client.name,
            "balance": money.format_money(invoice.balance, invoice.currency),
        }


def open_invoices() -> QuerySet:
    return (
        InvoicePage.objects.live()
        .filter(voided_at__isnull=True)
        .select_related("client")
        .order_by("-issue_date", "invoice_number")
    )


def adjustable_invoices() -> QuerySet:
    """Open invoices, and void ones only while money received on them can still be refunded."""
    return (
        InvoicePage.objects.live()
        .filter(Q(voided_at__isnull=True) | Q(amount_paid__gt=F("amount_refunded")))
        .select_related("client")
        .order_by("-issue_date", "invoice_number")
    )


def precision_error(currency: str) -> str:
    return money.precision_message(currency)


class RecordPaymentForm(forms.Form):
    invoice = InvoiceChoiceField(label=_("Invoice"), queryset=InvoicePage.objects.none())
    amount = AmountField(label=_("Amount"))
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("ISO 4217 code. Leave blank to use the invoice's currency."),
    )
    method = forms.ChoiceField(label=_("Method"), choices=MANUAL_METHODS)
    received_on = forms.DateField(label=_("Received on"), widget=AdminDateInput, initial=timezone.localdate)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=255,
        required=False,
        help_text=_("Cheque number, bank transfer reference, receipt number…"),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    send_receipt = forms.BooleanField(
        label=_("Email a receipt to the client's primary contact"), required=False, initial=True
    )
    confirm_overpayment = forms.BooleanField(
        label=_("Confirm overpayment"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Record this payment although it is more than the balance due."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InvoiceChoiceField, self.fields["invoice"]).queryset = open_invoices()
        self.overpayment: dict[str, str] | None = None

    def clean_currency(self) -> str:
        code = (self.cleaned_data.get("currency") or "").strip()
        return money.normalize_currency(code) if code else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        invoice: InvoicePage | None = cleaned.get("invoice")
        amount: Decimal | None = cleaned.get("amount")
        if invoice is None or "currency" in self.errors:
            return cleaned
        currency = cleaned.get("currency") or invoice.currency
        cleaned["currency"] = currency
        if currency != invoice.currency:
            self.add_error(
                "currency",
                gettext("This invoice is in %(invoice)s; record the payment in %(invoice)s.")
                % {"invoice": invoice.currency},
            )
            return cleaned
        if amount is None:
            return cleaned
        if not money.has_valid_precision(amount, currency):
            self.add_error("amount", precision_error(currency))
            return cleaned
        if amount > invoice.balance and not cleaned.get("confirm_overpayment"):
            self.overpayment = {
                "amount": money.format_money(amount, currency),
                "balance": money.format_money(max(invoice.balance, Decimal(0)), currency),
                "excess": money.format_money(amount - max(invoice.balance, Decimal(0)), currency),
            }
            # The box appears only once there is something to confirm.
            self.fields["confirm_overpayment"].widget = forms.CheckboxInput()
            self.add_error(
                "confirm_overpayment",
                gettext("Tick this box to record a payment larger than the balance due."),
            )
        return cleaned


class RecordAdjustmentForm(forms.Form):
    invoice = InvoiceChoiceField(label=_("Invoice"), queryset=InvoicePage.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AdjustmentKind.choices, widget=forms.RadioSelect)
    amount = AmountField(label=_("Amount"), help_text=_("In the invoice's currency."))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InvoiceChoiceField, self.fields["invoice"]).queryset = adjustable_invoices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        invoice, amount = cleaned.get("invoice"), cleaned.get("amount")
        if (
            invoice is not None
            and amount is not None
            and not money.has_valid_precision(amount, invoice.currency)
        ):
            self.add_error("amount", precision_error(invoice.currency))
        return cleaned


class LedgerEntryCreateView(ForbiddenMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A create view whose form is handed to the ledger rather than saved as a model form."""

    model: type[models.Model] = Payment
    permission_required = "add"
    template_name = "caseflow_wagtail/admin/ledger_entry_form.html"
    index_url_name: str | None = None
    add_url_name: str | None = None
    header_icon = ""
    submit_button_label = _("Record")
    submit_button_active_label = _("Recording…")
    success_message: StrOrPromise = ""

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        invoice_id = self.request.GET.get("invoice", "")
        if invoice_id.isdigit():
            invoice = InvoicePage.objects.filter(pk=invoice_id).first()
            if invoice is not None:
                initial["invoice"] = invoice
                initial["currency"] = invoice.currency
        return initial

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items = (
            [
                {
                    "url": reverse(self.index_url_name),
                    "label": (self.model._meta.verbose_name_plural or "").capitalize(),
                }
            ]
            if self.index_url_name
            else []
        )
        return [*self.breadcrumbs_items, *items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action_url"] = self.request.get_full_path()
        context["submit_button_label"] = self.submit_button_label
        context["submit_button_active_label"] = self.submit_button_active_label
        context["has_unsaved_changes"] = context["form"].is_bound
        context["media"] = context["form"].media
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            # Each record view defines record(form): the one ledger call it makes.
            recorded = self.record(form)
        except LedgerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        invoice = form.cleaned_data["invoice"]
        messages.success(
            self.request,
            self.success_message
            % {"amount": recorded.entry.display_amount, "number": invoice.invoice_number},
            buttons=[messages.button(page_edit_url(invoice), gettext("Open invoice"))],
        )
        return HttpResponseRedirect(reverse(self.index_url_name))

    def form_invalid(self, form: forms.Form) -> HttpResponse:
        messages.validation_error(self.request, gettext("Nothing was recorded: check the form."), form)
        return super().form_invalid(form)


class RecordPaymentView(LedgerEntryCreateView):
    model = Payment
    form_class = RecordPaymentForm
    page_title = _("Record payment")
    success_message = _("Payment of %(amount)s recorded against invoice %(number)s.")

    def record(self, form: forms.Form) -> ledger.Recorded[Payment]:
        data = form.cleaned_data
        return ledger.record_payment(
            data["invoice"],
            amount=data["amount"],
            currency=data["currency"],
            method=data["method"],
            source=PaymentSource.MANUAL,
            received_on=data["received_on"],
            reference=data["reference"],
            note=data["note"],
            send_receipt=data["send_receipt"],
            user=self.request.user,
        )


class RecordAdjustmentView(LedgerEntryCreateView):
    model = Adjustment
    form_class = RecordAdjustmentForm
    page_title = _("Record refund or credit")
    success_message = _("Adjustment of %(amount)s recorded against invoice %(number)s.")

    def record(self, form: forms.Form) -> ledger.Recorded[Adjustment]:
        data = form.cleaned_data
        return ledger.record_adjustment(
            data["invoice"],
            kind=data["kind"],
            amount=data["amount"],
            currency=data["invoice"].currency,
            reason=data["reason"],
            user=self.request.user,
        )
