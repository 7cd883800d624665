"""Send invoice: from the invoice's editor (a confirm page naming the recipient) and as a bulk action on
Billing → Invoices. Both go through ``mail.sending.request_sending``, which refuses what cannot be sent."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from ..mail import sending
from ..models import InvoicePage
from ..permissions import may_send_invoices
from .base import ForbiddenMixin, page_edit_url


class SendInvoiceForm(forms.Form):
    cc_firm = forms.BooleanField(label=_("Send a copy to the firm's billing email"), required=False)
    # A new key each time the form is shown: submitting this form twice is one request.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, copy_to: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if copy_to:
            self.fields["cc_firm"].help_text = gettext("The copy goes to %(address)s.") % {"address": copy_to}
        else:
            del self.fields["cc_firm"]


def may_send(user, invoice: InvoicePage) -> bool:
    return may_send_invoices(user) and invoice.permissions_for_user(user).can_edit()


def report(request: HttpRequest, outcome: sending.SendRequest) -> None:
    """Tell staff what asking to send one invoice did."""
    number = outcome.invoice.invoice_number
    if outcome.refused:
        messages.error(request, outcome.refused)
    elif outcome.created and outcome.sending is not None:
        text = gettext("Invoice %(number)s is being sent to %(to)s.")
        if outcome.sending.cc_email:
            text = gettext("Invoice %(number)s is being sent to %(to)s, with a copy to %(cc)s.")
        messages.success(
            request, text % {"number": number, "to": outcome.sending.to_email, "cc": outcome.sending.cc_email}
        )
    else:
        messages.info(
            request, gettext("Invoice %(number)s was already sent by this form.") % {"number": number}
        )


class SendInvoiceView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm the recipient (and the firm's copy), then email the invoice once."""

    template_name = "caseflow_wagtail/admin/confirm_send_invoice.html"
    header_icon = "mail"
    page_title = _("Send invoice")
    form_class = SendInvoiceForm

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.invoice = get_object_or_404(
            InvoicePage.objects.select_related("client"), pk=kwargs["invoice_id"]
        )

    def check_permissions(self, request: HttpRequest) -> None:
        if not may_send(request.user, self.invoice):
            raise PermissionDenied

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = sending.refusal(self.invoice)
        if refusal:
            messages.error(request, refusal)
            return redirect(page_edit_url(self.invoice))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "copy_to": sending.firm_copy_address(self.invoice)}

    def get_page_subtitle(self) -> str:
        return str(self.invoice)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.invoice,
            recipient=self.invoice.client.contact_email,
            last_sending=self.invoice.sendings.first(),
            action_url=self.request.get_full_path(),
            cancel_url=page_edit_url(self.invoice),
        )
        return context

    def form_valid(self, form: SendInvoiceForm) -> HttpResponse:
        outcome = sending.request_sending(
            self.invoice,
            user=self.request.user,
            cc_firm=form.cleaned_data.get("cc_firm", False),
            request_key=form.cleaned_data["request_key"],
        )
        report(self.request, outcome)
        return redirect(page_edit_url(self.invoice))


class SendInvoicesBulkAction(ForbiddenMixin, PageBulkAction):
    """Billing → Invoices: email each selected invoice; drafts, void invoices and clients without an
    email are named and skipped, the others sent."""

    display_name = _("Send")
    action_type = "send"
    aria_label = _("Send selected invoices to their clients")
    template_name = "caseflow_wagtail/admin/confirm_bulk_send.html"
    action_priority = 10
    models = [InvoicePage]
    form_class = SendInvoiceForm

    def check_permissions(self, request: HttpRequest) -> None:
        # Before the confirm page lists any invoice or client.
        if not may_send_invoices(request.user):
            raise PermissionDenied

    def check_perm(self, invoice: InvoicePage) -> bool:
        return may_send(self.request.user, invoice)

    def get_all_objects_in_listing_query(self, parent_id: Any) -> Any:
        # "Select all in listing" would ignore the listing's filters: emailing clients must be explicit.
        return InvoicePage.objects.none().values_list("pk", flat=True)

    @classmethod
    def get_queryset(cls, model: Any, object_ids: Any) -> list[InvoicePage]:
        ids = [int(pk) for pk in object_ids if str(pk).isdigit()]
        return list(InvoicePage.objects.filter(pk__in=ids).select_related("client"))

    def get_form_kwargs(self) -> dict[str, Any]:
        # Each invoice's copy goes to its own site's billing email.
        invoices, _no_access = self.get_actionable_objects()
        addresses = sorted({sending.firm_copy_address(invoice) for invoice in invoices} - {""})
        return {**super().get_form_kwargs(), "copy_to": ", ".join(addresses)}

    def object_context(self, invoice: InvoicePage) -> dict[str, Any]:
        context = super().object_context(invoice)
        context["refusal"] = sending.refusal(context["item"])
        context["recipient"] = context["item"].client.contact_email
        return context

    def form_valid(self, form: SendInvoiceForm) -> HttpResponse:
        invoices, _no_access = self.get_actionable_objects()
        key = form.cleaned_data["request_key"]
        outcomes = [
            sending.request_sending(
                invoice,
                user=self.request.user,
                cc_firm=form.cleaned_data.get("cc_firm", False),
                request_key=f"{key}:{invoice.pk}",
            )
            for invoice in sorted(invoices, key=lambda invoice: invoice.invoice_number)
        ]
        sent = [outcome for outcome in outcomes if outcome.created and outcome.sending]
        if sent:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d invoice is being sent: %(list)s.",
                    "%(count)d invoices are being sent: %(list)s.",
                    len(sent),
                )
                % {
                    "count": len(sent),
                    "list": "; ".join(
                        f"{outcome.invoice.invoice_number} → {outcome.sending.to_email}"
                        for outcome in sent
                        if outcome.sending
                    ),
                },
            )
        for outcome in outcomes:
            if not (outcome.created and outcome.sending):
                report(self.request, outcome)
        return redirect(self.next_url)
