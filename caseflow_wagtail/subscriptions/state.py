"""Stripe's state of a subscription, kept in step from its events and from the set-up page."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit, stripe_api
from ..models import (
    Subscription,
    SubscriptionStatus,
)
from ..models.subscriptions import FINAL_STATUSES
from .common import find_subscription, object_id, stripe_for, to_datetime

logger = logging.getLogger(__name__)


# -- Stripe's state, kept in step -----------------------------------------------------------------------


def _period_end(obj: dict[str, Any]) -> datetime.datetime | None:
    # Since API version 2025-03-31 the period lives on the subscription's items.
    items = ((obj.get("items") or {}).get("data")) or []
    if items and items[0].get("current_period_end"):
        return to_datetime(items[0]["current_period_end"])
    return to_datetime(obj.get("current_period_end"))


def _note_card(
    subscription: Subscription, payment_method_id: str, api: stripe_api.StripeGateway | None
) -> None:
    if not payment_method_id or payment_method_id == subscription.stripe_payment_method_id:
        return
    subscription.stripe_payment_method_id = payment_method_id
    try:
        card = (api or stripe_for(subscription.site)).retrieve_payment_method(payment_method_id).get(
            "card"
        ) or {}
    except stripe_api.StripeFailure as failure:
        # Brand and last four are a convenience for staff; the state itself must still be applied.
        logger.warning(
            "Card details for subscription %s not read: %s", subscription.pk, type(failure).__name__
        )
        card = {}
    had_card = bool(subscription.card_last4)
    subscription.card_brand = card.get("brand") or ""
    subscription.card_last4 = card.get("last4") or ""
    if had_card:
        log(instance=subscription, action=audit.CARD_CHANGED, data={"card": subscription.card_display})


def apply_stripe_state(
    subscription: Subscription, obj: dict[str, Any], api: stripe_api.StripeGateway | None = None, user=None
) -> bool:
    """Store a Stripe subscription object's state on our row. Returns whether anything changed."""
    before = (
        subscription.status,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        subscription.canceled_at,
        subscription.stripe_payment_method_id,
        subscription.stripe_subscription_id,
    )
    if not subscription.stripe_subscription_id and obj.get("id"):
        subscription.stripe_subscription_id = obj["id"]
    status = obj.get("status") or subscription.status
    old_status = subscription.status
    if status in SubscriptionStatus.values and not (
        old_status in FINAL_STATUSES and status not in FINAL_STATUSES
    ):
        subscription.status = status
    subscription.current_period_end = _period_end(obj) or subscription.current_period_end
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    if subscription.status in FINAL_STATUSES:
        subscription.canceled_at = (
            to_datetime(obj.get("ended_at") or obj.get("canceled_at"))
            or subscription.canceled_at
            or timezone.now()
        )
    else:
        subscription.canceled_at = (
            to_datetime(obj.get("canceled_at")) if subscription.cancel_at_period_end else None
        )
    _note_card(subscription, object_id(obj.get("default_payment_method")), api)
    after = (
        subscription.status,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        subscription.canceled_at,
        subscription.stripe_payment_method_id,
        subscription.stripe_subscription_id,
    )
    if after == before:
        return False
    subscription.save()
    if subscription.status != old_status:
        log(
            instance=subscription,
            action=audit.STATUS_CHANGED,
            user=user,
            data={"from": old_status, "to": subscription.status},
        )
    return True


def seen_state_as_of(subscription: Subscription, moment: datetime.datetime | None) -> None:
    """Remember how recent the stored state is, so an event from before it cannot roll it back."""
    if moment is not None and (subscription.last_event_at is None or moment > subscription.last_event_at):
        subscription.last_event_at = moment
        Subscription.objects.filter(pk=subscription.pk).update(last_event_at=moment)


def apply_subscription_event(site: Site, obj: dict[str, Any], event: dict[str, Any]) -> bool:
    """customer.subscription.*: apply the event's state unless the stored state may be newer.

    An event no newer than the stored state (older, or in the same whole second, which cannot be ordered
    from the payloads) never has its payload applied: Stripe is asked for the subscription as it is now.
    """
    subscription = find_subscription(site, metadata=obj.get("metadata"), stripe_id=obj.get("id") or "")
    if subscription is None:
        return False
    created = to_datetime(event.get("created"))
    last = subscription.last_event_at
    if created is not None and last is not None and created <= last:
        obj = stripe_for(site).retrieve_subscription(obj["id"])
    changed = apply_stripe_state(subscription, obj)
    seen_state_as_of(subscription, created)
    return changed


def link_checkout_session(site: Site, session: dict[str, Any]) -> bool:
    """A completed subscription-mode Checkout Session: link the Stripe subscription it made."""
    if session.get("mode") != "subscription" or session.get("status") != "complete":
        return False
    subscription = find_subscription(site, metadata=session.get("metadata"))
    if subscription is None:
        return False
    stripe_id = object_id(session.get("subscription"))
    if not stripe_id:
        return False
    if subscription.stripe_subscription_id and subscription.stripe_subscription_id != stripe_id:
        logger.warning("Subscription %s already linked to another Stripe subscription", subscription.pk)
        return False
    api = stripe_for(site)
    obj = session["subscription"] if isinstance(session.get("subscription"), dict) else None
    fetched_at = timezone.now()
    obj = obj or api.retrieve_subscription(stripe_id)
    subscription.stripe_subscription_id = stripe_id
    changed = apply_stripe_state(subscription, obj, api)
    if not isinstance(session.get("subscription"), dict):
        # Read from Stripe just now: any event created before this moment is older than what is stored.
        seen_state_as_of(subscription, fetched_at)
    return changed


def confirm_setup_session(subscription: Subscription, session_id: str) -> bool:
    """The set-up page's confirmation, for when the client is back before the webhook: ask Stripe about the
    session the client came back with and link the Stripe subscription it made, as the webhook would.

    Only the session stored for this subscription counts (a retainer's set-up records no payment: each
    cycle's invoice does, see ``cycles``). False when there is nothing to ask; raises ``StripeFailure`` when
    Stripe cannot be asked, and the webhook links it.
    """
    site = subscription.site
    if not session_id or session_id != subscription.stripe_checkout_session_id or site is None:
        return False
    session = stripe_for(site).retrieve_checkout_session(session_id)
    with transaction.atomic():
        link_checkout_session(site, session)
    return True
