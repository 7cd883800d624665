"""What every part of the subscriptions service shares: names, errors, links and look-ups."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import stripe_api, stripe_client
from ..exceptions import CaseflowError
from ..models import (
    PaymentGatewaySettings,
    Subscription,
)
from ..payments.fulfilment import SITE_KEY

logger = logging.getLogger(__name__)


SUBSCRIPTION_KEY = "caseflow_subscription_id"
# Stripe caps a Checkout Session at 24 hours; a setup link is our own URL, which opens a fresh session
# whenever the stored one has expired.
SETUP_SESSION_LIFETIME = datetime.timedelta(hours=23)
REUSE_MARGIN = datetime.timedelta(minutes=5)


SETUP_TEMPLATE = "subscription-setup"
FAILED_TEMPLATE = "subscription-payment-failed"
FIRM_FAILED_TEMPLATE = "subscription-payment-failed-firm"
ACTION_TEMPLATE = "subscription-action-required"


class SubscriptionError(CaseflowError):
    """A subscription change was refused; ``str()`` is a message for staff."""


# -- helpers --------------------------------------------------------------------------------------------


def to_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, int | float) and value:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    return None


def object_id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def gateway_settings(site: Site | None) -> PaymentGatewaySettings | None:
    return PaymentGatewaySettings.for_site(site) if site is not None else None


def stripe_for(site: Site | None) -> stripe_api.StripeGateway:
    if site is None:
        raise SubscriptionError(_("This subscription belongs to no site."))
    return stripe_client.for_site(site)


def site_url(site: Site | None, path: str) -> str:
    root = site.root_url if site is not None else ""
    return f"{root}{path}"


def public_url(subscription: Subscription, name: str) -> str:
    return site_url(
        subscription.site, reverse(f"caseflow_wagtail:{name}", kwargs={"token": subscription.public_token})
    )


def setup_link(subscription: Subscription) -> str:
    """The link the client follows to set up the card: ours, so it outlives any one Checkout Session."""
    return public_url(subscription, "subscription_setup")


def card_updates_allowed(subscription: Subscription) -> bool:
    gateway = gateway_settings(subscription.site)
    return bool(gateway and gateway.allow_card_update and subscription.card_updatable)


def card_update_link(subscription: Subscription) -> str:
    """The client's "Update card" link; empty when the firm does not allow it."""
    return public_url(subscription, "subscription_update_card") if card_updates_allowed(subscription) else ""


def subscription_metadata(subscription: Subscription) -> dict[str, str]:
    """What identifies a subscription to Stripe: ids only, never a name or a matter."""
    return {SUBSCRIPTION_KEY: str(subscription.pk), SITE_KEY: str(subscription.site_id or "")}


def find_subscription(site: Site, *, metadata: dict | None, stripe_id: str = "") -> Subscription | None:
    """Our subscription for a Stripe object, locked for the rest of the transaction; None when not ours."""
    metadata = metadata or {}
    rows = Subscription.objects.select_for_update()
    if str(metadata.get(SITE_KEY, "")) == str(site.pk) and str(metadata.get(SUBSCRIPTION_KEY, "")).isdigit():
        found = rows.filter(pk=int(metadata[SUBSCRIPTION_KEY]), site=site).first()
        if found is not None:
            return found
    if stripe_id:
        return rows.filter(stripe_subscription_id=stripe_id, site=site).first()
    return None
