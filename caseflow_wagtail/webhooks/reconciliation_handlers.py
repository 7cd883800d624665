"""Refunds and disputes made in Stripe, noted against the payments the plugin recorded. Registered on import."""

from __future__ import annotations

from django.dispatch import receiver

from .. import reconciliation
from ..signals import payment_recorded
from .registry import EventContext, handles


@handles("refund.created", "refund.updated")
def refund_changed(context: EventContext) -> bool:
    return reconciliation.note_refund(context.object)


@handles("charge.refunded")
def charge_refunded(context: EventContext) -> bool:
    # The twin of refund.created: whichever arrives first notes the refund, the other finds it there.
    # The charge comes without its refunds, which are listed through the receiving site's Stripe key.
    return reconciliation.note_charge_refunded(context.object, context.site)


@handles("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
def dispute_changed(context: EventContext) -> bool:
    return reconciliation.note_dispute(context.object)


@receiver(payment_recorded, dispatch_uid="caseflow_wagtail.reconciliation_catch_up")
def payment_recorded_late(sender, payment, invoice, **kwargs) -> None:
    # A refund or dispute event processed before its payment existed noted nothing; now it can.
    reconciliation.catch_up(payment)
