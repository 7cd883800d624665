"""Billing views in the Wagtail admin: recording money by hand, invoice actions and the billing listings.

Money moves only through ``caseflow_wagtail.ledger``; these views collect and check what staff type, show
the ledger's refusals as form errors, and never edit or delete a recorded entry.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.widgets import AdminDateInput, Button, HeaderButton
from wagtail.log_actions import LogFormatter, log
from wagtail.models import Page, PageQuerySet, Site

from .. import checkout, emails, fees, ledger, money
from ..exceptions import CaseflowError, LedgerError
from ..exports import FormulaSafeExportMixin
from ..forms import AmountField
from ..models import (
    Adjustment,
    AdjustmentKind,
    InvoiceIndexPage,
    InvoicePage,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from ..permissions import has_billing_permission, may_record_payments

LINK_REGENERATED = "caseflow_wagtail.regenerate_link"
INVOICE_VOIDED = "caseflow_wagtail.void"
INVOICE_RESTORED = "caseflow_wagtail.restore"

# Card payments arrive from Stripe; staff record everything else by hand.
MANUAL_METHODS = [(value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.CARD]

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # What the mixins below are mixed into, so that their super() calls and ``self.request`` check.
    from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin as _AdminView

    _View = View
else:
    _View = _AdminView = object


def page_edit_url(invoice: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(invoice.pk,))


class ForbiddenMixin(_View):
    """Answer 403 to a user without the permission: Wagtail would turn PermissionDenied into a redirect."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.check_permissions(request)
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return TemplateResponse(request, "caseflow_wagtail/admin/permission_denied.html", status=403)

    def check_permissions(self, request: HttpRequest) -> None:
        """Raise PermissionDenied before the view runs; views with a permission policy also check there."""


def forbidding(view_class: type[View]) -> type[View]:
    """``view_class`` answering 403 instead of Wagtail's redirect when permission is refused."""
    return type(view_class.__name__, (ForbiddenMixin, view_class), {"__module__": __name__})


class BillingOnlyMixin(ForbiddenMixin):
    """403 for a user without the billing permission, before the view shows any client or amount."""

    def check_permissions(self, request: HttpRequest) -> None:
        if not has_billing_permission(request.user):
            raise PermissionDenied


def billing_only(view_class: type[View]) -> type[View]:
    """``view_class`` refused (403) to users without the billing permission."""
    return type(view_class.__name__, (BillingOnlyMixin, view_class), {"__module__": __name__})


# -- audit log ------------------------------------------------------------------------------------------


class InvoiceVoidedFormatter(LogFormatter):
    label = _("Void invoice")

    def format_message(self, log_entry) -> str:
        reason = (log_entry.data or {}).get("reason") or ""
        if reason:
            return gettext("Invoice voided: %(reason)s") % {"reason": reason}
        return gettext("Invoice voided")


# -- the Stripe mode, on every Billing listing -------------------------------------------------------------


class StripeModeMixin(_AdminView):
    """Shows TEST MODE / LIVE MODE / NOT CONFIGURED in the header, linking to Payment Gateways."""

    @cached_property
    def header_buttons(self) -> list[Any]:
        from ..models import PaymentGatewaySettings
        from .gateway import may_change_gateway

        site = Site.find_for_request(self.request)
        if site is None:
            return list(super().header_buttons)
        mode = PaymentGatewaySettings.for_site(site).mode
        label = {"live": gettext("LIVE MODE"), "test": gettext("TEST MODE")}.get(
            mode, gettext("NOT CONFIGURED")
        )
        meta = PaymentGatewaySettings._meta
        url = (
            reverse("wagtailsettings:edit", args=[meta.app_label, meta.model_name, site.pk])
            if may_change_gateway(self.request.user, site)
            else None
        )
        badge = HeaderButton(
            gettext("Stripe: %(mode)s") % {"mode": label},
            url=url,
            icon_name="credit-card",
            classname=f"caseflow-mode caseflow-mode--{mode or 'none'}",
        )
        return [*super().header_buttons, badge]


# -- listing columns ------------------------------------------------------------------------------------


class MoneyColumn(Column):
    """An amount formatted in its row's currency (``currency_accessor``) in the active language."""

    def __init__(self, name: str, currency_accessor: str = "currency", **kwargs: Any) -> None:
        kwargs.setdefault("classname", "caseflow-money")
        super().__init__(name, **kwargs)
        self.currency_accessor = currency_accessor

    def get_value(self, instance: Any) -> str:
        amount = super().get_value(instance)
        return money.format_money(amount, getattr(instance, self.currency_accessor))


class InvoiceStatusColumn(Column):
    cell_template_name = "caseflow_wagtail/admin/cells/invoice_status.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        context["invoice"] = instance
        return context


class InvoiceLinkColumn(Column):
    """The entry's invoice, linking to its editor, flagged when the invoice is overpaid."""

    cell_template_name = "caseflow_wagtail/admin/cells/invoice_link.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        context["invoice"] = invoice = instance.invoice
        context["edit_url"] = page_edit_url(invoice)
        return context


# -- Invoices listing -----------------------------------------------------------------------------------


class InvoiceIndexView(BillingOnlyMixin, StripeModeMixin, PageIndexView):
    """All invoice pages, with billing columns; each row leads into Wagtail's page editor."""

    page_title = _("Invoices")
    default_ordering = "-issue_date"

    @cached_property
    def columns(self) -> list[Column]:
        return [
            TitleColumn(
                "invoice_number",
                label=_("Number"),
                sort_key="invoice_number",
                get_url=page_edit_url,
            ),
            Column("client", label=_("Client"), accessor="client.name", sort_key="client__name"),
            Column("issue_date", label=_("Issue date"), sort_key="issue_date"),
            Column("due_date", label=_("Due date"), sort_key="due_date"),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            MoneyColumn("balance", label=_("Balance"), sort_key="balance"),
            InvoiceStatusColumn("status", label=_("Status")),
        ]

    def annotate_queryset(self, pages: PageQuerySet) -> PageQuerySet:
        # The columns read only InvoicePage fields, so the base rows are enough: no per-type queries.
        return pages.select_related("client").defer_streamfields()

    def search_queryset(self, queryset: QuerySet) -> QuerySet:
        # Invoices are kept out of the search index on purpose; match number and client in the database.
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(Q(invoice_number__icontains=query) | Q(client__name__icontains=query))

    def get_ordering(self) -> str:
        ordering = self.request.GET.get("ordering", self.default_ordering)
        if ordering not in self.get_valid_orderings():
            ordering = self.default_ordering
        return ordering

    def order_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(self.ordering, "-pk")

    def get_add_url(self) -> str | None:
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse("caseflow_wagtail_admin:add_invoice")
        return None

    @cached_property
    def add_item_label(self) -> str:
        return gettext("Add invoice")

    @cached_property
    def verbose_name(self) -> str:
        return InvoicePage._meta.verbose_name

    @cached_property
    def verbose_name_plural(self) -> str:
        return InvoicePage._meta.verbose_name_plural


def site_for(request: HttpRequest) -> Site | None:
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()


def unique_child_slug(parent: Page, slug: str) -> str:
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, suffix = slug, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{slug}-{suffix}"
    return candidate


class AddInvoiceView(BillingOnlyMixin, View):
    """Send the editor to Wagtail's page-create view under the site's invoices folder.

    The folder is created under the site's root page the first time, so a new site needs no set-up.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        site = site_for(request)
        if site is None:
            messages.error(request, gettext("Set up a Wagtail site before adding invoices."))
            return redirect("wagtailadmin_home")
        root = site.root_page
        index = InvoiceIndexPage.objects.descendant_of(root).order_by("path").first()
        if index is None:
            if not root.permissions_for_user(request.user).can_add_subpage():
                raise PermissionDenied
            index = InvoiceIndexPage(title=gettext("Invoices"), slug=unique_child_slug(root, "invoices"))
            root.add_child(instance=index)
            log(instance=index, action="wagtail.create", user=request.user)
        if not index.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        creatable = [
            model
            for model in index.specific_class.allowed_subpage_models()
            if model.is_creatable and model.can_create_at(index)
        ]
        if len(creatable) == 1:
            model = creatable[0]
            return redirect("wagtailadmin_pages:add", model._meta.app_label, model._meta.model_name, index.pk)
        return redirect("wagtailadmin_pages:add_subpage", index.pk)


# -- recording money by hand ----------------------------------------------------------------------------


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, invoice: InvoicePage) -> str:
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
        cast(InvoiceChoiceField, self.fields["invoice"]).queryset = (
            InvoicePage.objects.live().select_related("client").order_by("-issue_date", "invoice_number")
        )

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

    @cached_property
    def header_more_buttons(self) -> list[Button]:
        buttons = list(super().header_more_buttons)
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
        outcome = emails.deliver_receipt(self.payment.pk, again=True)
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


# -- invoice actions: regenerate the link, void, restore ------------------------------------------------


class InvoiceActionView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm, then act on one invoice. Only billing staff who may edit and publish the page may act."""

    template_name = "caseflow_wagtail/admin/confirm_action.html"
    header_icon = "doc-full"
    form_class: type[forms.Form] = forms.Form
    confirm_label = _("Confirm")
    danger = False

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.invoice = get_object_or_404(InvoicePage, pk=kwargs["invoice_id"])

    def check_permissions(self, request: HttpRequest) -> None:
        # The invoice's page permissions already require the billing permission; asked again here so that
        # no page permission alone (a Moderator's) ever voids an invoice or changes its link.
        permissions = self.invoice.permissions_for_user(request.user)
        if not (
            has_billing_permission(request.user) and permissions.can_edit() and permissions.can_publish()
        ):
            raise PermissionDenied

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refused() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refused() or super().post(request, *args, **kwargs)

    def refused(self) -> HttpResponse | None:
        refusal = self.refusal()
        if not refusal:
            return None
        messages.error(self.request, refusal)
        return redirect(page_edit_url(self.invoice))

    def refusal(self) -> str:
        """Why this action cannot apply to the invoice now; empty when it can."""
        return ""

    def get_page_subtitle(self) -> str:
        return str(self.invoice)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_invoices:index"), "label": gettext("Invoices")},
            {"url": page_edit_url(self.invoice), "label": str(self.invoice)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.invoice,
            action_url=self.request.get_full_path(),
            cancel_url=page_edit_url(self.invoice),
            confirm_label=self.confirm_label,
            danger=self.danger,
            explanation=self.explanation(),
        )
        return context

    def explanation(self) -> list[str]:
        return []

    def form_valid(self, form: forms.Form) -> HttpResponse:
        # Each action view defines act(form): what confirming does.
        self.act(form)
        return redirect(page_edit_url(self.invoice))


class RegenerateLinkView(InvoiceActionView):
    page_title = _("Regenerate the client's link")
    confirm_label = _("Yes, regenerate the link")
    danger = True

    def explanation(self) -> list[str]:
        return [
            gettext("The invoice gets a new link and the current one stops working at once."),
            gettext("Anyone you sent the current link to will need the new one."),
        ]

    def act(self, form: forms.Form) -> None:
        self.invoice.regenerate_public_token()
        log(instance=self.invoice, action=LINK_REGENERATED, user=self.request.user)
        messages.success(
            self.request,
            gettext("Invoice %(number)s has a new link; the old one no longer works.")
            % {"number": self.invoice.invoice_number},
        )


class VoidInvoiceForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=255,
        help_text=_("Kept with the invoice and in its history."),
    )


class VoidInvoiceView(InvoiceActionView):
    page_title = _("Void invoice")
    form_class = VoidInvoiceForm
    confirm_label = _("Yes, void the invoice")
    danger = True

    def refusal(self) -> str:
        if not self.invoice.live:
            return gettext("Only a published invoice can be voided; delete a draft instead.")
        if self.invoice.voided_at:
            return gettext("This invoice is already void.")
        return ""

    def explanation(self) -> list[str]:
        lines = [
            gettext("A void invoice cannot be paid and its status shows as Void; it can be restored later.")
        ]
        if self.invoice.amount_paid > self.invoice.amount_refunded:
            lines.append(
                gettext(
                    "%(amount)s has been received against this invoice. Voiding does not refund it: "
                    "record a refund separately."
                )
                % {
                    "amount": money.format_money(
                        self.invoice.amount_paid - self.invoice.amount_refunded, self.invoice.currency
                    )
                }
            )
        return lines

    def act(self, form: forms.Form) -> None:
        reason = form.cleaned_data["reason"].strip()
        # A queryset update: voiding is not a content edit and must not create a revision or republish.
        InvoicePage.objects.filter(pk=self.invoice.pk).update(voided_at=timezone.now(), void_reason=reason)
        try:
            # After the void is written, so a click on Pay Now meanwhile cannot open a fresh page.
            checkout.expire_open_sessions(self.invoice)
        except CaseflowError as error:
            logger.warning(
                "Open Checkout Sessions of void invoice %s not expired: %s", self.invoice.pk, error
            )
            messages.warning(
                self.request,
                gettext(
                    "Stripe could not be reached to close the client's open payment page. If they pay on it, "
                    "the payment is kept for refund under Billing → Reconciliation."
                ),
            )
        log(instance=self.invoice, action=INVOICE_VOIDED, user=self.request.user, data={"reason": reason})
        messages.success(
            self.request, gettext("Invoice %(number)s is void.") % {"number": self.invoice.invoice_number}
        )


class RestoreInvoiceView(InvoiceActionView):
    page_title = _("Restore invoice")
    confirm_label = _("Yes, restore the invoice")

    def refusal(self) -> str:
        if not self.invoice.voided_at:
            return gettext("This invoice is not void.")
        return ""

    def explanation(self) -> list[str]:
        return [
            gettext("The invoice was voided: %(reason)s") % {"reason": self.invoice.void_reason or "—"},
            gettext("Restoring it makes it payable again with its current balance."),
        ]

    def act(self, form: forms.Form) -> None:
        InvoicePage.objects.filter(pk=self.invoice.pk).update(voided_at=None, void_reason="")
        log(instance=self.invoice, action=INVOICE_RESTORED, user=self.request.user)
        messages.success(
            self.request,
            gettext("Invoice %(number)s is restored.") % {"number": self.invoice.invoice_number},
        )
