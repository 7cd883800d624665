"""Event type → handler. Handlers are small functions that turn a Stripe object into a ledger call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wagtail.models import Site

# What the webhook endpoint is subscribed to when the firm clicks "Set up webhook".
SUBSCRIBED_EVENTS: tuple[str, ...] = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    # Asynchronous capture: the charge's balance transaction (Stripe's fee and net) is set later.
    "charge.updated",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "refund.created",
    "refund.updated",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
)


@dataclass(frozen=True, slots=True)
class EventContext:
    """What a handler gets: the event's object, the site whose endpoint received it, the raw event, and how
    it came (``source``: a ``PaymentSource`` value, "webhook", or "sync" for an event the sync listed)."""

    site: Site
    event_id: str
    type: str
    object: dict[str, Any]
    event: dict[str, Any]
    source: str = "webhook"


Handler = Callable[[EventContext], bool]
_handlers: dict[str, list[Handler]] = {}


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    """Register a handler; it returns True when it changed something, False when it had nothing to do."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            if event_type not in SUBSCRIBED_EVENTS:
                raise ValueError(f"{event_type} is handled but not in SUBSCRIBED_EVENTS")
            _handlers.setdefault(event_type, []).append(handler)
        return handler

    return register


def handlers_for(event_type: str) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def dispatch(context: EventContext) -> bool | None:
    """Run the handlers for an event. None: nobody handles this type; else whether anything changed."""
    handlers = handlers_for(context.type)
    if not handlers:
        return None
    changed = False
    for handler in handlers:
        changed = bool(handler(context)) or changed
    return changed
