"""Creating a retainer: the client's Stripe customer, the price, and the Checkout page that saves the card."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit, money, stripe_api, stripe_client
from ..models import (
    Client,
    PaymentGatewaySettings,
    Subscription,
)
from ..models.subscriptions import STRIPE_INTERVALS
from ..payments.fulfilment import SITE_KEY
from .common import (
    REUSE_MARGIN,
    SETUP_SESSION_LIFETIME,
    SETUP_TEMPLATE,
    SubscriptionError,
    gateway_settings,
    public_url,
    stripe_for,
    subscription_metadata,
    to_datetime,
)
from .emails import enqueue_email

logger = logging.getLogger(__name__)


# -- creating and setting up --------------------------------------------------------------------------


def validate_terms(amount: Decimal, currency: str, gateway: PaymentGatewaySettings) -> str | None:
    """Why Stripe could not charge this amount every cycle; None when it can."""
    if currency not in gateway.accepted_currencies():
        return _("%(currency)s is not one of the accepted currencies.") % {"currency": currency}
    if not money.has_valid_precision(amount, currency):
        return money.precision_message(currency)
    if not money.is_chargeable(amount, currency):
        return money.charge_step_message(currency)
    minimum = money.minimum_charge(currency)
    if amount < minimum:
        return _("The smallest card charge is %(minimum)s.") % {
            "minimum": money.format_money(minimum, currency)
        }
    return None


def _ensure_customer(subscription: Subscription, api: stripe_api.StripeGateway) -> str:
    """The client's Stripe customer: the one we made before when Stripe still has it, else a new one."""
    client = Client.objects.select_for_update().get(pk=subscription.client_id)
    if client.stripe_customer_id and api.customer_exists(client.stripe_customer_id):
        return client.stripe_customer_id
    customer = api.create_customer(
        email=client.contact_email,
        metadata={"caseflow_client_id": str(client.pk), SITE_KEY: str(subscription.site_id or "")},
        key=stripe_api.idempotency_key(
            "customer", client.pk, subscription.site_id, client.stripe_customer_id
        ),
    )
    Client.objects.filter(pk=client.pk).update(stripe_customer_id=customer["id"])
    return customer["id"]


def _ensure_price(subscription: Subscription, api: stripe_api.StripeGateway) -> tuple[str, str]:
    """A recurring price for these terms: reused from an earlier subscription with the same terms."""
    same = (
        Subscription.objects.filter(
            site=subscription.site,
            amount=subscription.amount,
            currency=subscription.currency,
            interval=subscription.interval,
            description=subscription.description,
        )
        .exclude(stripe_price_id="")
        .exclude(pk=subscription.pk)
        .order_by("-pk")
        .first()
    )
    if same is not None:
        return same.stripe_product_id, same.stripe_price_id
    product = api.create_product(
        name=subscription.description,
        metadata={SITE_KEY: str(subscription.site_id or "")},
        key=stripe_api.idempotency_key("retainer-product", subscription.pk),
    )
    interval, count = STRIPE_INTERVALS[subscription.interval]
    price = api.create_recurring_price(
        product=product["id"],
        amount_minor=money.to_minor_units(subscription.amount, subscription.currency),
        currency=subscription.currency,
        interval=interval,
        interval_count=count,
        key=stripe_api.idempotency_key("retainer-price", subscription.pk),
    )
    return product["id"], price["id"]


def _open_setup_session(subscription: Subscription, api: stripe_api.StripeGateway) -> str:
    expires = timezone.now() + SETUP_SESSION_LIFETIME
    params = stripe_api.subscription_checkout_params(
        customer=subscription.stripe_customer_id,
        price=subscription.stripe_price_id,
        metadata=subscription_metadata(subscription),
        client_reference_id=f"subscription-{subscription.pk}",
        success_url=public_url(subscription, "subscription_setup_done") + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=public_url(subscription, "subscription"),
        expires_at=int(expires.timestamp()),
    )
    # The previous session's id makes the key: a retry reuses the session, an expired one gets a new one.
    key = stripe_api.idempotency_key(
        "retainer-setup", subscription.pk, subscription.stripe_checkout_session_id
    )
    session = api.create_checkout_session(params, key)
    subscription.stripe_checkout_session_id = session["id"]
    subscription.setup_session_url = session["url"]
    subscription.setup_session_expires_at = to_datetime(session.get("expires_at")) or expires
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_checkout_session_id=subscription.stripe_checkout_session_id,
        setup_session_url=subscription.setup_session_url,
        setup_session_expires_at=subscription.setup_session_expires_at,
    )
    return session["url"]


def create_subscription(
    *,
    client: Client,
    amount: Decimal,
    currency: str,
    interval: str,
    description: str,
    site: Site,
    user=None,
    send_email: bool = True,
) -> Subscription:
    """Create the subscription, the client's Stripe customer, the price and the setup Checkout Session.

    Raises ``stripe_api.StripeFailure`` or ``SubscriptionError``; nothing is kept then.
    """
    gateway = gateway_settings(site)
    if gateway is None or not gateway.has_secret_key:
        raise SubscriptionError(_("Configure Stripe in Settings → Payment Gateways first."))
    currency = money.normalize_currency(currency)
    refusal = validate_terms(amount, currency, gateway)
    if refusal:
        raise SubscriptionError(refusal)
    api = stripe_client.for_site(gateway)
    subscription = Subscription.objects.create(
        client=client,
        site=site,
        description=description.strip(),
        amount=money.quantize(amount, currency),
        currency=currency,
        interval=interval,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            subscription.stripe_customer_id = _ensure_customer(subscription, api)
            subscription.stripe_product_id, subscription.stripe_price_id = _ensure_price(subscription, api)
            subscription.save(update_fields=["stripe_customer_id", "stripe_product_id", "stripe_price_id"])
        _open_setup_session(subscription, api)
    except Exception:
        # Objects already made in Stripe (customer, price) are reused by the next attempt.
        subscription.delete()
        raise
    log(
        instance=subscription,
        action=audit.SUBSCRIPTION_CREATED,
        user=subscription.created_by,
        data={"amount": str(subscription.amount), "currency": currency, "interval": interval},
    )
    if send_email:
        send_setup_email(subscription, user=user)
    return subscription


def send_setup_email(subscription: Subscription, user=None) -> bool:
    """Email the setup link to the primary contact (after commit); False when there is no address."""
    if not subscription.client.contact_email:
        return False
    log(
        instance=subscription,
        action=audit.SETUP_SENT,
        user=user,
        data={"to": subscription.client.contact_email},
    )
    enqueue_email(subscription, SETUP_TEMPLATE, [subscription.client.contact_email])
    return True


def checkout_url_for_setup(subscription: Subscription) -> str:
    """The hosted Checkout page for the setup link: the stored session while it lasts, else a new one."""
    if (
        subscription.setup_session_url
        and subscription.setup_session_expires_at
        and subscription.setup_session_expires_at > timezone.now() + REUSE_MARGIN
    ):
        return subscription.setup_session_url
    return _open_setup_session(subscription, stripe_for(subscription.site))
