"""Subscription events: one Stripe object in, one call to the subscriptions service out. Registered on import."""

from __future__ import annotations

from .. import subscriptions
from .registry import EventContext, handles


@handles("checkout.session.completed")
def subscription_checkout_completed(context: EventContext) -> bool:
    # The Pay Now handler answers for payment-mode sessions; this one only for subscription mode.
    return subscriptions.link_checkout_session(context.site, context.object)


@handles("customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted")
def subscription_changed(context: EventContext) -> bool:
    return subscriptions.apply_subscription_event(context.site, context.object, context.event)


@handles("invoice.paid")
def subscription_invoice_paid(context: EventContext) -> bool:
    return subscriptions.record_paid_invoice(context.site, context.object, source=context.source)


@handles("invoice.payment_failed")
def subscription_payment_failed(context: EventContext) -> bool:
    return subscriptions.record_failed_payment(context.site, context.object, context.event)


@handles("invoice.payment_action_required")
def subscription_action_required(context: EventContext) -> bool:
    return subscriptions.record_action_required(context.site, context.object, context.event)
