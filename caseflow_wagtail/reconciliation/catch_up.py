"""Refund and dispute events that arrived before the payment they name, applied once it is recorded."""

from __future__ import annotations

import logging
from typing import Any

from ..exceptions import CaseflowError
from ..models import (
    Payment,
    StripeEvent,
)
from .disputes import note_dispute
from .refunds import note_charge_refunded, note_refund

logger = logging.getLogger(__name__)


# -- events that came before their payment ---------------------------------------------------------------

REFUND_EVENTS = ("refund.created", "refund.updated")
DISPUTE_EVENTS = ("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
CHARGE_REFUNDED = ("charge.refunded",)


def catch_up(payment: Payment) -> int:
    """Note the refunds and disputes whose events arrived before this payment was recorded.

    Deliveries are unordered and a sync replays them oldest first, so a refund's event can be processed
    while the payment it returns is still unknown; it is stored, and picked up here once the payment is.
    """
    if not payment.stripe_payment_intent_id:
        return 0
    events = StripeEvent.objects.filter(
        type__in=REFUND_EVENTS + DISPUTE_EVENTS + CHARGE_REFUNDED,
        payload__data__object__payment_intent=payment.stripe_payment_intent_id,
    ).order_by("created", "pk")
    changed = 0
    for event in events:
        obj = (event.payload.get("data") or {}).get("object") or {}
        if event.type in CHARGE_REFUNDED:
            noted = _catch_up_charge(obj, event)
        else:
            noted = note_refund(obj) if event.type in REFUND_EVENTS else note_dispute(obj)
        changed += int(noted)
    return changed


def _catch_up_charge(charge: dict[str, Any], event: StripeEvent) -> bool:
    # Listing needs Stripe; if it cannot be reached now, the payment is still recorded and the
    # refund arrives with its own refund.* event or the next sync.
    try:
        return note_charge_refunded(charge, event.site)
    except CaseflowError as error:
        logger.warning("Refunds of charge %s not listed yet: %s", charge.get("id"), error)
        return False
