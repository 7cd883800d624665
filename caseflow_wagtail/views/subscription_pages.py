"""The client's retainer pages: the subscription page, the setup link on to Stripe Checkout, the return from
it, and Stripe's card page."""

from __future__ import annotations

import logging

from django.contrib import messages as django_messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from .. import conf, ratelimit, subscriptions
from ..headers import make_private
from ..invoices.sites import invoice_site
from ..models import (
    BillingSettings,
    PaymentGatewaySettings,
    Subscription,
)
from ..stripe_api import StripeFailure
from .public import get_public_invoice

logger = logging.getLogger(__name__)


# -- the client's pages ---------------------------------------------------------------------------------


def _subscription(token: str) -> Subscription:
    subscription = Subscription.objects.select_related("client", "site").filter(public_token=token).first()
    if subscription is None:
        raise Http404
    return subscription


def _allowed(request: HttpRequest) -> bool:
    return ratelimit.allow(
        f"subscription:{ratelimit.client_address(request)}", *conf.get("PAY_LIMIT_PER_ADDRESS")
    )


def _firm(subscription: Subscription) -> str:
    return BillingSettings.for_site(subscription.site).get_firm_name() if subscription.site else ""


@require_safe
def subscription_page(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _subscription(token)
    context = {
        "subscription": subscription,
        "firm_name": _firm(subscription),
        "next_charge": subscription.next_charge_at,
        "update_card_url": reverse("caseflow_wagtail:subscription_update_card", kwargs={"token": token})
        if subscriptions.card_updates_allowed(subscription)
        else "",
        "setup_url": reverse("caseflow_wagtail:subscription_setup", kwargs={"token": token})
        if subscription.is_incomplete
        else "",
    }
    return make_private(
        TemplateResponse(request, "caseflow_wagtail/subscriptions/subscription.html", context)
    )


@require_safe
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed setup link: on to Stripe's Checkout while the subscription awaits its card."""
    subscription = _subscription(token)
    back = redirect("caseflow_wagtail:subscription", token=token)
    if not subscription.is_incomplete:
        return back
    if not _allowed(request):
        return make_private(HttpResponse(gettext("Too many attempts; try again in a minute."), status=429))
    try:
        url = subscriptions.checkout_url_for_setup(subscription)
    except (StripeFailure, subscriptions.SubscriptionError) as failure:
        logger.warning("Setup for subscription %s not opened: %s", subscription.pk, type(failure).__name__)
        django_messages.error(
            request, gettext("We could not open the card page just now; please try again shortly.")
        )
        return back
    return redirect(url)


@require_safe
def setup_done(request: HttpRequest, token: str) -> HttpResponse:
    """Where Stripe sends the client after Checkout. Links the subscription if the webhook has not yet."""
    subscription = _subscription(token)
    session_id = request.GET.get("session_id", "")
    try:
        confirmed = subscriptions.confirm_setup_session(subscription, session_id)
    except StripeFailure as failure:
        # The webhook links it; the page says the card is being confirmed.
        logger.warning("Setup page could not confirm %s: %s", session_id, type(failure).__name__)
    else:
        if confirmed:
            django_messages.success(
                request, gettext("Thank you — your card is saved and the retainer is set up.")
            )
    return redirect("caseflow_wagtail:subscription", token=token)


def _portal(request: HttpRequest, subscription: Subscription | None, return_url: str) -> HttpResponse:
    if subscription is None or not subscriptions.card_updates_allowed(subscription):
        raise Http404
    if not _allowed(request):
        return make_private(HttpResponse(gettext("Too many attempts; try again in a minute."), status=429))
    try:
        url = subscriptions.portal_url(subscription, return_url)
    except (StripeFailure, subscriptions.SubscriptionError) as failure:
        logger.warning("Portal for subscription %s not opened: %s", subscription.pk, type(failure).__name__)
        django_messages.error(
            request, gettext("We could not open the card page just now; please try again shortly.")
        )
        return redirect(return_url)
    return redirect(url)


@require_safe
def update_card(request: HttpRequest, token: str) -> HttpResponse:
    """From a subscription email or page: Stripe's portal, back to the subscription page."""
    subscription = _subscription(token)
    back = request.build_absolute_uri(reverse("caseflow_wagtail:subscription", kwargs={"token": token}))
    return _portal(request, subscription, back)


@require_safe
def invoice_update_card(request: HttpRequest, token: str) -> HttpResponse:
    """From an invoice page: Stripe's portal for the invoice's client, back to that invoice."""
    invoice = get_public_invoice(token)
    site = invoice_site(invoice)
    gateway = PaymentGatewaySettings.for_site(site) if site is not None else None
    subscription = Subscription.objects.card_update_for(invoice, gateway)
    back = request.build_absolute_uri(reverse("caseflow_wagtail:invoice", kwargs={"token": token}))
    return _portal(request, subscription, back)
