"""Small functions: one Stripe object in, one fulfilment or ledger call out. Registered on import."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from ..models import AccountCheckout, CheckoutStatus
from ..payments import cards, combined, fees, fulfilment
from ..signals import payment_recorded
from .registry import EventContext, handles


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_paid(context: EventContext) -> bool:
    record = (
        combined.record_account_checkout
        if fulfilment.is_account_checkout(context.object.get("metadata"))
        else fulfilment.record_checkout_session
    )
    recorded = record(context.object, context.site, context.source, event_id=context.event_id)
    return bool(recorded and recorded.created)


@handles("payment_intent.succeeded")
def payment_intent_succeeded(context: EventContext) -> bool:
    record = (
        combined.record_account_payment_intent
        if fulfilment.is_account_checkout(context.object.get("metadata"))
        else fulfilment.record_payment_intent
    )
    recorded = record(context.object, context.site, context.source)
    return bool(recorded and recorded.created)


@handles("charge.updated")
def charge_updated(context: EventContext) -> bool:
    # Asynchronous capture finished: the charge now names its balance transaction (fee and net). It names
    # the card too, which a payment recorded from an event (never expanded) does not know yet.
    payment = fees.payment_for_charge(context.object, context.site)
    if payment is None:
        return False  # recorded later: fulfilment's catch-up applies this charge then
    carded = cards.note(payment, context.object)
    return fees.note_charge_fee(payment, context.object, context.site) or carded


@receiver(payment_recorded, dispatch_uid="caseflow_wagtail.fee_catch_up")
def payment_recorded_after_its_fee(sender, payment, invoice, **kwargs) -> None:
    # Deliveries are unordered: charge.updated may have come before the payment was recorded.
    if payment.fee_pending:
        transaction.on_commit(partial(fees.catch_up, payment.pk), robust=True)


@handles("payment_intent.payment_failed", "checkout.session.async_payment_failed")
def payment_failed(context: EventContext) -> bool:
    return fulfilment.note_failure(context.object, context.site, event_id=context.event_id)


@handles("checkout.session.expired")
def checkout_expired(context: EventContext) -> bool:
    session_id = context.object.get("id", "")
    closed = AccountCheckout.objects.filter(
        stripe_id=session_id, site=context.site, status=CheckoutStatus.OPEN
    )
    return fulfilment.mark_session(session_id, CheckoutStatus.EXPIRED) or bool(
        session_id and closed.update(status=CheckoutStatus.EXPIRED)
    )
