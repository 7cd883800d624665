"""What a client sees: the invoice behind its token link, Pay Now, and the confirmation."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Site

from .. import conf, ratelimit, stripe_client
from ..headers import make_private
from ..invoices.sites import invoice_site
from ..ledger import Recorded
from ..models import CheckoutSession, InvoicePage, PaymentGatewaySettings, PaymentSource
from ..payments import checkout, fulfilment
from ..payments.pay_now import clean_amount, pay_now_for
from ..pdfs.documents import receipt_number
from ..stripe_api import StripeFailure

logger = logging.getLogger(__name__)


def get_public_invoice(token: str) -> InvoicePage:
    """The published invoice with this token, or 404 — the same answer for a wrong, old or draft link."""
    base = InvoicePage.objects.live().filter(public_token=token).only("pk", "content_type_id").first()
    if base is None:
        raise Http404
    model = base.specific_class or InvoicePage
    return (
        model.objects.select_related("client")
        .prefetch_related("lines", "payments", "adjustments")
        .get(pk=base.pk)
    )


def _site_and_gateway(
    request: HttpRequest, invoice: InvoicePage
) -> tuple[Site | None, PaymentGatewaySettings | None]:
    # The invoice's own site, never the request's: its keys charge, and its settings decide what is offered.
    site = invoice_site(invoice)
    return site, (PaymentGatewaySettings.for_site(site) if site is not None else None)


@require_safe
def invoice(request: HttpRequest, token: str) -> HttpResponse:
    return get_public_invoice(token).serve(request)


@require_POST
def pay(request: HttpRequest, token: str) -> HttpResponse:
    invoice = get_public_invoice(token)
    site, gateway = _site_and_gateway(request, invoice)
    pay_now = pay_now_for(invoice, gateway)
    back = redirect("caseflow_wagtail:invoice", token=token)
    # An invoice in no site's tree has no gateway, and pay_now_for never offers it.
    if site is None or gateway is None or not pay_now.available:
        messages.error(request, _("This invoice cannot be paid online right now."))
        return back
    per_address = conf.get("PAY_LIMIT_PER_ADDRESS")
    per_invoice = conf.get("PAY_LIMIT_PER_INVOICE")
    if not (
        ratelimit.allow(f"address:{ratelimit.client_address(request)}", *per_address)
        and ratelimit.allow(f"invoice:{invoice.pk}", *per_invoice)
    ):
        return make_private(
            TemplateResponse(
                request, "caseflow_wagtail/too_many_attempts.html", {"invoice": invoice}, status=429
            )
        )
    try:
        amount = clean_amount(pay_now, request.POST.get("amount"))
    except ValidationError as error:
        # The page again, with the error at the field and what the client typed kept (not a redirect,
        # which would lose both).
        request.caseflow_pay_error = {  # type: ignore[attr-defined]
            "message": error.messages[0],
            "amount": request.POST.get("amount", ""),
        }
        response = invoice.serve(request)
        response.status_code = 400
        return response
    try:
        url = checkout.open_checkout(request, invoice, gateway, site, amount)
    except StripeFailure as failure:
        logger.warning("Checkout for invoice %s not opened: %s", invoice.pk, type(failure).__name__)
        messages.error(
            request,
            _("We could not start the card payment just now. Nothing was charged; please try again shortly."),
        )
        return back
    return redirect(url)


@require_safe
def paid(request: HttpRequest, token: str) -> HttpResponse:
    """Where Stripe sends the client after paying. Records the payment if the webhook has not yet."""
    invoice = get_public_invoice(token)
    session_id = request.GET.get("session_id", "")
    if not CheckoutSession.objects.filter(invoice=invoice, stripe_id=session_id).exists():
        raise Http404
    site, gateway = _site_and_gateway(request, invoice)
    if site is None or gateway is None:
        raise Http404
    _note_seen(session_id)
    state = "confirming"
    payment = None
    try:
        confirmed = fulfilment.confirm_checkout_session(
            stripe_client.for_site(gateway, client_waiting=True),
            session_id,
            site,
            PaymentSource.SUCCESS_PAGE,
            invoice=invoice,
        )
    except fulfilment.NotThisInvoice:
        raise Http404 from None
    except StripeFailure as failure:
        # The webhook will record the payment; the client is told it is being confirmed.
        logger.warning("Success page could not confirm %s: %s", session_id, type(failure).__name__)
    except OperationalError as error:
        # SQLite busy with the webhook writing the same payment ("database is locked"): the client has
        # paid, and the webhook or the next visit records it; never an error page here.
        logger.warning("Success page could not record %s yet: %s", session_id, error)
    else:
        # "received": taken, and kept for the firm to apply or refund; the client is told it was received.
        state = confirmed.state
        if state in ("expired", "open"):
            messages.info(request, _("The payment was not completed. Nothing was charged."))
            return redirect("caseflow_wagtail:invoice", token=token)
        if isinstance(confirmed.recorded, Recorded):
            payment = confirmed.recorded.entry
    invoice.refresh_from_db()
    context = {
        "invoice": invoice,
        "payment": payment,
        # The number printed on the receipt PDF the page links to, from its one home.
        "receipt_number": receipt_number(payment) if payment is not None else "",
        "state": state,
        "status": invoice.status,
        "firm_name": site and _firm_name(site),
        "receipt_to": invoice.client.contact_email,
    }
    return make_private(TemplateResponse(request, "caseflow_wagtail/payment_confirmation.html", context))


def _note_seen(session_id: str) -> None:
    """For Webhook health's "success pages with no event"; a busy database only loses the note."""
    try:
        fulfilment.note_success_page_seen(session_id)
    except OperationalError as error:
        logger.warning("Could not note the success page of %s: %s", session_id, error)


def _firm_name(site: Site) -> str:
    from ..models import BillingSettings

    return BillingSettings.for_site(site).get_firm_name()


@require_safe
def cancelled(request: HttpRequest, token: str) -> HttpResponse:
    get_public_invoice(token)
    messages.info(request, _("Payment cancelled. Nothing was charged."))
    return redirect("caseflow_wagtail:invoice", token=token)
