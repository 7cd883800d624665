"""Keeping the books in step with what happened in Stripe after a payment: refunds and disputes.

Stripe's side is noted as it arrives (``StripeRefund``, ``StripeDispute``); the ledger's side is one
Adjustment per Stripe refund or lost dispute, recorded through ``caseflow_wagtail.ledger`` with the Stripe id
as its external id, so however often an event or a click repeats, the money moves once.

- ``refunds`` and ``disputes``: noting Stripe's objects and recording their adjustments;
- ``catch_up``: events that came before the payment they name;
- ``notices``: the firm's emails about them (a task); ``health``: the Webhook health screen's figures;
- ``recovery``: Sync from Stripe — listed events replayed, open Checkout Sessions confirmed, missing fees
  filled in (a command, a task and a button);
- ``common``: what they share. Modules import ``common`` and ``notices``, never the other way.
"""

from .catch_up import catch_up
from .common import DISPUTE_NOTICE, REFUND_NOTICE, payment_for
from .disputes import lost_disputes_awaiting_adjustment, note_dispute, open_disputes, record_dispute_loss
from .health import LateSession, late_sessions, needs_attention, webhook_health
from .notices import send_notice, send_reconciliation_notice
from .refunds import (
    note_charge_refunded,
    note_refund,
    reconcile_refund,
    record_automatically,
    unreconciled_refunds,
)

__all__ = [
    "DISPUTE_NOTICE",
    "REFUND_NOTICE",
    "LateSession",
    "catch_up",
    "late_sessions",
    "lost_disputes_awaiting_adjustment",
    "needs_attention",
    "note_charge_refunded",
    "note_dispute",
    "note_refund",
    "open_disputes",
    "payment_for",
    "reconcile_refund",
    "record_automatically",
    "record_dispute_loss",
    "send_notice",
    "send_reconciliation_notice",
    "unreconciled_refunds",
    "webhook_health",
]
