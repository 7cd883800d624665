"""Small functions: one Stripe object in, one fulfilment or ledger call out. Registered on import."""

from __future__ import annotations

from .. import fees, fulfilment
from ..models import CheckoutStatus, PaymentSource
from .registry import EventContext, handles


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_paid(context: EventContext) -> bool:
    recorded = fulfilment.record_checkout_session(context.object, context.site, PaymentSource.WEBHOOK)
    return bool(recorded and recorded.created)


@handles("payment_intent.succeeded")
def payment_intent_succeeded(context: EventContext) -> bool:
    recorded = fulfilment.record_payment_intent(context.object, context.site, PaymentSource.WEBHOOK)
    return bool(recorded and recorded.created)


@handles("charge.updated")
def charge_updated(context: EventContext) -> bool:
    # Asynchronous capture finished: the charge now names its balance transaction (fee and net).
    return fees.note_charge(context.object, context.site)


@handles("payment_intent.payment_failed", "checkout.session.async_payment_failed")
def payment_failed(context: EventContext) -> bool:
    return fulfilment.note_failure(context.object, context.site, event_id=context.event_id)


@handles("checkout.session.expired")
def checkout_expired(context: EventContext) -> bool:
    return fulfilment.mark_session(context.object.get("id", ""), CheckoutStatus.EXPIRED)
