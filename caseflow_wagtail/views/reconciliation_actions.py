"""Billing → Reconciliation's actions: record a Stripe refund (as a refund or a credit), record a lost
dispute, apply a payment that was set aside to an invoice, mark one refunded.

Each first shows a page naming the invoice, the amount and what will be recorded; only the POST from that
page records. A POST without its confirmation (a form from before this step, a replayed request) shows the
same page and records nothing. Money moves only through the reconciliation service and the ledger.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import money, reconciliation
from ..exceptions import LedgerError
from ..models import (
    AdjustmentKind,
    InvoicePage,
    StripeDispute,
    StripeRefund,
    UnappliedPayment,
    UnappliedStatus,
)
from ..payments import unapplied
from ..permissions import may_reconcile, may_record_payments
from .base import ForbiddenMixin, page_edit_url

# Sent only by the confirm page's form, so that no other POST records anything.
CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def back_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("caseflow_reconciliation:index")


def describe_invoice(invoice: InvoicePage) -> str:
    return gettext("invoice %(number)s (%(client)s), balance %(balance)s") % {
        "number": invoice.invoice_number,
        "client": invoice.client.name,
        "balance": money.format_money(invoice.balance, invoice.currency),
    }


class ReconciliationActionView(ForbiddenMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then record. Subclasses load their row in ``load``, may refuse in ``refusal``, say what
    confirming records in ``explanation`` and record in ``act``."""

    template_name = "caseflow_wagtail/admin/confirm_action.html"
    header_icon = "rotate"
    confirm_label = _("Confirm")
    # The URL's id of the row acted on, and the request's parameters the confirm page sends back.
    lookup = "pk"
    carried: tuple[str, ...] = ()

    def check_permissions(self, request: HttpRequest) -> None:
        if not may_reconcile(request.user):
            raise PermissionDenied

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.start(request, kwargs)
        return self.refusal() or self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.start(request, kwargs)
        refused = self.refusal()
        if refused is not None:
            return refused
        if request.POST.get(CONFIRM_FIELD) != CONFIRM_VALUE:
            # A POST that skipped the confirm page (a one-click form from before it, a replayed request).
            return self.render_to_response(self.get_context_data())
        return self.act()

    def start(self, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        self.params = request.POST if request.method == "POST" else request.GET
        self.back = back_url(request)
        self.load(int(kwargs[self.lookup]))

    def load(self, pk: int) -> None:
        """Every action reads the row it acts on here (an abstract hook: each subclass defines it)."""
        raise NotImplementedError

    def refusal(self) -> HttpResponse | None:
        """A response sending staff back when the action cannot apply (already done, bad input)."""
        return None

    def explanation(self) -> list[str]:
        return []

    def get_confirm_label(self) -> str:
        return str(self.confirm_label)

    def act(self) -> HttpResponse:
        """Every action records here, after the confirm (an abstract hook: each subclass defines it)."""
        raise NotImplementedError

    def go_back(self, level: str, text: str) -> HttpResponse:
        getattr(messages, level)(self.request, text)
        return redirect(self.back)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_reconciliation:index"), "label": gettext("Reconciliation")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hidden = [(name, self.params.get(name, "")) for name in self.carried]
        context.update(
            action_url=self.request.path,
            cancel_url=self.back,
            confirm_label=self.get_confirm_label(),
            explanation=self.explanation(),
            hidden_fields=[*hidden, ("next", self.back), (CONFIRM_FIELD, CONFIRM_VALUE)],
        )
        return context


class ReconcileRefundView(ReconciliationActionView):
    """A Stripe refund recorded as a refund (the client owes it again) or a credit (forgiven)."""

    page_title = _("Record a Stripe refund")
    lookup = "refund_id"
    carried = ("kind",)

    def load(self, pk: int) -> None:
        self.refund = get_object_or_404(StripeRefund.objects.select_related("invoice__client"), pk=pk)
        self.kind = self.params.get("kind")

    def get_page_subtitle(self) -> str:
        return str(self.refund.invoice)

    def get_confirm_label(self) -> str:
        if self.kind == AdjustmentKind.CREDIT:
            return gettext("Yes, record the refund and forgive it")
        return gettext("Yes, record the refund")

    def refusal(self) -> HttpResponse | None:
        if self.kind not in AdjustmentKind.values:
            return self.go_back("error", gettext("Choose refund or credit."))
        if self.refund.adjustment_id is not None:
            return self.go_back(
                "info",
                gettext("That Stripe refund was already recorded on invoice %(number)s; nothing changed.")
                % {"number": self.refund.invoice.invoice_number},
            )
        return None

    def explanation(self) -> list[str]:
        facts = {"amount": self.refund.display_amount, "invoice": describe_invoice(self.refund.invoice)}
        lines = [gettext("Stripe refunded %(amount)s of a payment on %(invoice)s.") % facts]
        if self.kind == AdjustmentKind.CREDIT:
            lines.append(
                gettext(
                    "Confirming records a refund of %(amount)s and a credit of %(amount)s on the invoice: "
                    "the money went back to the client and they do not owe it again."
                )
                % facts
            )
        else:
            lines.append(
                gettext("Confirming records a refund of %(amount)s on the invoice: the client owes it again.")
                % facts
            )
        return lines

    def act(self) -> HttpResponse:
        refund = self.refund
        try:
            recorded = reconciliation.reconcile_refund(refund, str(self.kind), user=self.request.user)
        except LedgerError as error:
            return self.go_back("error", str(error))
        if recorded.created:
            text = (
                gettext("Stripe refund of %(amount)s recorded as a refund on invoice %(number)s.")
                if self.kind == AdjustmentKind.REFUND
                else gettext(
                    "Stripe refund of %(amount)s recorded and forgiven as a credit on invoice %(number)s."
                )
            )
        else:
            text = gettext("That Stripe refund was already recorded on invoice %(number)s; nothing changed.")
        messages.success(
            self.request,
            text % {"amount": refund.display_amount, "number": refund.invoice.invoice_number},
            buttons=[messages.button(page_edit_url(refund.invoice), gettext("Open invoice"))],
        )
        return redirect(self.back)


class RecordDisputeLossView(ReconciliationActionView):
    """The bank returned the money to the client: recorded as a refund of the payment."""

    page_title = _("Record a lost dispute")
    confirm_label = _("Yes, record the refund")

    lookup = "dispute_id"

    def load(self, pk: int) -> None:
        self.dispute = get_object_or_404(StripeDispute.objects.select_related("invoice__client"), pk=pk)

    def get_page_subtitle(self) -> str:
        return str(self.dispute.invoice)

    def refusal(self) -> HttpResponse | None:
        if self.dispute.adjustment_id is not None:
            return self.go_back(
                "info",
                gettext("That lost dispute was already recorded on invoice %(number)s; nothing changed.")
                % {"number": self.dispute.invoice.invoice_number},
            )
        if not self.dispute.is_lost:
            return self.go_back("error", gettext("Only a lost dispute is recorded as an adjustment."))
        return None

    def explanation(self) -> list[str]:
        facts = {
            "amount": self.dispute.display_amount,
            "invoice": describe_invoice(self.dispute.invoice),
            "dispute": self.dispute.stripe_id,
        }
        return [
            gettext(
                "The client's bank returned %(amount)s of a payment on %(invoice)s: the dispute "
                "%(dispute)s was lost."
            )
            % facts,
            gettext("Confirming records a refund of %(amount)s on the invoice: the client owes it again.")
            % facts,
        ]

    def act(self) -> HttpResponse:
        dispute = self.dispute
        try:
            recorded = reconciliation.record_dispute_loss(dispute, user=self.request.user)
        except LedgerError as error:
            return self.go_back("error", str(error))
        text = (
            gettext("The lost dispute of %(amount)s is recorded as a refund on invoice %(number)s.")
            if recorded.created
            else gettext("That lost dispute was already recorded on invoice %(number)s; nothing changed.")
        )
        messages.success(
            self.request, text % {"amount": dispute.display_amount, "number": dispute.invoice.invoice_number}
        )
        return redirect(self.back)


class UnappliedActionView(ReconciliationActionView):
    lookup = "unapplied_id"

    def load(self, pk: int) -> None:
        self.row = get_object_or_404(UnappliedPayment.objects.select_related("invoice"), pk=pk)

    def refusal(self) -> HttpResponse | None:
        if self.row.status != UnappliedStatus.NEEDS_REVIEW:
            return self.go_back("info", gettext("That payment was already resolved."))
        return None

    def taken(self) -> str:
        return gettext(
            "Stripe took %(amount)s (%(stripe)s) that was not credited to any invoice: %(why)s."
        ) % {
            "amount": self.row.display_amount,
            "stripe": self.row.stripe_payment_intent_id or self.row.stripe_checkout_session_id,
            "why": self.row.get_reason_display(),
        }


class ApplyUnappliedView(UnappliedActionView):
    """Credit money Stripe took, and the plugin set aside, to an invoice of the same site and currency."""

    page_title = _("Apply a payment to an invoice")
    confirm_label = _("Yes, apply it to the invoice")
    carried = ("invoice_number",)

    def check_permissions(self, request: HttpRequest) -> None:
        if not (may_reconcile(request.user) and may_record_payments(request.user)):
            raise PermissionDenied

    def load(self, pk: int) -> None:
        super().load(pk)
        self.number = (self.params.get("invoice_number") or "").strip()
        candidates = InvoicePage.objects.filter(invoice_number=self.number).select_related("client")
        if self.row.site is not None:
            candidates = candidates.descendant_of(self.row.site.root_page, inclusive=True)
        self.invoice = candidates.first() if self.number else None

    def get_page_subtitle(self) -> str:
        return str(self.invoice or "")

    def refusal(self) -> HttpResponse | None:
        refused = super().refusal()
        if refused is None and self.invoice is None:
            refused = self.go_back(
                "error", gettext("No invoice %(number)s on this site.") % {"number": self.number}
            )
        return refused

    @property
    def target(self) -> InvoicePage:
        # ``refusal`` sent staff back before anything reads the invoice when there is none.
        if self.invoice is None:
            raise LookupError(self.number)
        return self.invoice

    def explanation(self) -> list[str]:
        return [
            self.taken(),
            gettext("Confirming records a payment of %(amount)s on %(invoice)s.")
            % {"amount": self.row.display_amount, "invoice": describe_invoice(self.target)},
        ]

    def act(self) -> HttpResponse:
        invoice = self.target
        try:
            unapplied.apply_to_invoice(self.row, invoice, user=self.request.user)
        except LedgerError as error:
            return self.go_back("error", str(error))
        messages.success(
            self.request,
            gettext("%(amount)s applied to invoice %(number)s.")
            % {"amount": self.row.display_amount, "number": invoice.invoice_number},
            buttons=[messages.button(page_edit_url(invoice), gettext("Open invoice"))],
        )
        return redirect(self.back)


class RefundUnappliedView(UnappliedActionView):
    """Staff refunded the money in Stripe: it leaves the list (nothing is credited)."""

    page_title = _("Mark a payment refunded")
    confirm_label = _("Yes, mark it refunded")

    def get_page_subtitle(self) -> str:
        return self.row.display_amount

    def explanation(self) -> list[str]:
        lines = [self.taken()]
        if self.row.invoice is not None:
            lines.append(
                gettext("The payment named invoice %(number)s.") % {"number": self.row.invoice.invoice_number}
            )
        lines.append(
            gettext(
                "Confirming records that it was refunded in the Stripe dashboard: it leaves the review list "
                "and nothing is credited to any invoice. This does not refund it in Stripe."
            )
        )
        return lines

    def act(self) -> HttpResponse:
        if unapplied.mark_refunded(self.row, user=self.request.user):
            messages.success(
                self.request, gettext("%(amount)s marked as refunded.") % {"amount": self.row.display_amount}
            )
        else:
            messages.info(self.request, gettext("That payment was already resolved."))
        return redirect(self.back)
