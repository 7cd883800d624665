"""Managing a retainer: every change goes to Stripe first and is stored from Stripe's answer."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .. import audit, stripe_api
from ..models import (
    Subscription,
)
from . import portal
from .common import SubscriptionError, stripe_for
from .state import apply_stripe_state, seen_state_as_of

logger = logging.getLogger(__name__)


# -- managing: Stripe first, then Stripe's answer -------------------------------------------------------


def _change_key(action: str, subscription: Subscription) -> str:
    # The row's version: a double click repeats the request, a later change (undo, then cancel again) is new.
    return stripe_api.idempotency_key(
        action, subscription.stripe_subscription_id, subscription.updated_at.isoformat()
    )


def _refuse_unless_cancellable(subscription: Subscription) -> None:
    if not subscription.can_cancel:
        raise SubscriptionError(_("This subscription has no active Stripe subscription to change."))


def cancel_at_period_end(subscription: Subscription, user=None) -> Subscription:
    return _set_cancel_at_period_end(subscription, True, user)


def undo_cancellation(subscription: Subscription, user=None) -> Subscription:
    return _set_cancel_at_period_end(subscription, False, user)


def _set_cancel_at_period_end(subscription: Subscription, cancel: bool, user) -> Subscription:
    _refuse_unless_cancellable(subscription)
    if not cancel and not subscription.cancel_at_period_end:
        raise SubscriptionError(_("No cancellation is pending."))
    api = stripe_for(subscription.site)
    asked_at = timezone.now()
    answer = api.update_subscription(
        subscription.stripe_subscription_id,
        {"cancel_at_period_end": cancel},
        _change_key("cancel-at-period-end" if cancel else "undo-cancel", subscription),
    )
    with transaction.atomic():
        locked = _store_answer(subscription, answer, api, asked_at, user)
        if cancel:
            data = {"ends": str(locked.current_period_end)}
            log(instance=locked, action=audit.CANCEL_SCHEDULED, user=user, data=data)
        else:
            log(instance=locked, action=audit.CANCEL_UNDONE, user=user)
    return locked


def cancel_now(subscription: Subscription, user=None) -> Subscription:
    _refuse_unless_cancellable(subscription)
    api = stripe_for(subscription.site)
    asked_at = timezone.now()
    answer = api.cancel_subscription(subscription.stripe_subscription_id, _change_key("cancel", subscription))
    with transaction.atomic():
        locked = _store_answer(subscription, answer, api, asked_at, user)
        log(instance=locked, action=audit.CANCELED, user=user)
    return locked


def _store_answer(
    subscription: Subscription,
    answer: dict[str, Any],
    api: stripe_api.StripeGateway,
    asked_at: datetime,
    user,
) -> Subscription:
    """The row, locked (inside the caller's transaction), updated from Stripe's answer to a change asked
    for at ``asked_at``."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    apply_stripe_state(locked, answer, api, user=user)
    seen_state_as_of(locked, asked_at)
    return locked


def portal_url(subscription: Subscription, return_url: str) -> str:
    """A Stripe billing-portal page where the client replaces the card, coming back to ``return_url``."""
    if subscription.site is None:
        raise SubscriptionError(_("This subscription belongs to no site."))
    return portal.session_url(
        subscription.site,
        stripe_for(subscription.site),
        customer=subscription.stripe_customer_id,
        return_url=return_url,
    )
