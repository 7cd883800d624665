"""Paying several invoices at once from the client's account page: the form's POST, Stripe's return and
the cancel link. The rules are in ``accounts.pay_several``; opening Checkout in
``payments.account_checkout``; recording in ``payments.combined``."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import conf, ratelimit, stripe_client
from ..accounts.pay_several import PayError, pay_groups, plan_payment
from ..accounts.statement import account_statement
from ..exceptions import CaseflowError
from ..firm import firm_details
from ..headers import make_private
from ..ledger import Recorded
from ..models import AccountCheckout, PaymentGatewaySettings, PaymentSource
from ..payments import account_checkout, combined
from .account import PayErrorShown, account_site, get_account_client, render_account

logger = logging.getLogger(__name__)


@require_POST
def pay(request: HttpRequest, token: str) -> HttpResponse:
    client = get_account_client(token)
    site = account_site(request)
    back = redirect("caseflow_wagtail:account", token=token)
    gateway = PaymentGatewaySettings.for_site(site)
    per_address = conf.get("PAY_LIMIT_PER_ADDRESS")
    per_invoice = conf.get("PAY_LIMIT_PER_INVOICE")
    if not (
        ratelimit.allow(f"address:{ratelimit.client_address(request)}", *per_address)
        and ratelimit.allow(f"account:{client.pk}", *per_invoice)
    ):
        return make_private(
            TemplateResponse(request, "caseflow_wagtail/too_many_attempts.html", {}, status=429)
        )
    groups = pay_groups((row.invoice for row in account_statement(client, site).open), gateway)
    currency = request.POST.get("currency", "")
    ticked = request.POST.getlist("invoice")
    try:
        plan = plan_payment(groups, currency, ticked, request.POST.get("amount"))
    except PayError as error:
        shown = PayErrorShown(
            currency=currency,
            field=error.field,
            message=error.messages[0],
            ticked=frozenset(ticked),
            amount=request.POST.get("amount", ""),
        )
        return render_account(request, client, site, pay_error=shown)
    try:
        url = account_checkout.open_account_checkout(request, client, site, gateway, plan)
    except CaseflowError as failure:
        logger.warning("Account checkout for client %s not opened: %s", client.pk, type(failure).__name__)
        messages.error(
            request,
            _("We could not start the card payment just now. Nothing was charged; please try again shortly."),
        )
        return back
    return redirect(url)


@require_safe
def paid(request: HttpRequest, token: str) -> HttpResponse:
    """Where Stripe sends the client after paying; records the payment if no event has yet."""
    client = get_account_client(token)
    site = account_site(request)
    session_id = request.GET.get("session_id", "")
    checkout = AccountCheckout.objects.filter(client=client, site=site, stripe_id=session_id).first()
    if not session_id or checkout is None:
        raise Http404
    AccountCheckout.objects.filter(pk=checkout.pk, success_page_seen_at__isnull=True).update(
        success_page_seen_at=timezone.now()
    )
    state, payment = "confirming", None
    try:
        confirmed = combined.confirm_account_checkout(
            stripe_client.for_site(site, client_waiting=True), checkout, site, PaymentSource.SUCCESS_PAGE
        )
    except CaseflowError as failure:
        logger.warning("Success page could not confirm %s: %s", session_id, type(failure).__name__)
    except OperationalError as error:
        logger.warning("Success page could not record %s yet: %s", session_id, error)
    else:
        state = confirmed.state
        if state in ("expired", "open"):
            messages.info(request, _("The payment was not completed. Nothing was charged."))
            return redirect("caseflow_wagtail:account", token=token)
        if isinstance(confirmed.recorded, Recorded):
            payment = confirmed.recorded.entry
    allocations = payment.allocations.select_related("invoice").order_by("pk") if payment is not None else ()
    firm = firm_details(site)
    context = {
        "client": client,
        "payment": payment,
        "allocations": allocations,
        "state": state,
        "firm": firm,
        "firm_name": firm.name,
        "receipt_to": client.contact_email,
    }
    return make_private(
        TemplateResponse(request, "caseflow_wagtail/account_payment_confirmation.html", context)
    )


@require_safe
def cancelled(request: HttpRequest, token: str) -> HttpResponse:
    get_account_client(token)
    messages.info(request, _("Payment cancelled. Nothing was charged."))
    return redirect("caseflow_wagtail:account", token=token)
