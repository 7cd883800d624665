"""What the parts of reconciliation share: the notices' names, the payment a Stripe object names, and how
money Stripe gave back is recorded."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db.models import Q

from .. import ledger
from ..models import (
    Adjustment,
    AdjustmentKind,
    Payment,
    StripeDispute,
    StripeRefund,
)

logger = logging.getLogger(__name__)


REFUND_NOTICE = "stripe-refund"
DISPUTE_NOTICE = "stripe-dispute"
UNAPPLIED_NOTICE = "stripe-unapplied"


def object_id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def to_datetime(timestamp: Any) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC) if isinstance(timestamp, int) else None


def payment_for(obj: dict[str, Any]) -> Payment | None:
    """The payment the plugin recorded for the charge or PaymentIntent a refund or dispute names."""
    charge, intent = object_id(obj.get("charge")), object_id(obj.get("payment_intent"))
    query = Q()
    if charge:
        query |= Q(stripe_charge_id=charge)
    if intent:
        query |= Q(stripe_payment_intent_id=intent)
    if not query:
        return None
    return Payment.objects.filter(query).select_related("invoice").order_by("pk").first()


def record_returned_money(
    row: StripeRefund | StripeDispute, reason: str, user
) -> ledger.Recorded[Adjustment]:
    """Money that went back to the client through Stripe (a refund, a lost dispute), as a refund of the
    payment. The Stripe object's id is the adjustment's external id: the ledger records it once."""
    return ledger.record_adjustment(
        row.invoice_id,
        kind=AdjustmentKind.REFUND,
        amount=row.amount,
        currency=row.currency,
        reason=reason,
        payment=row.payment,
        stripe_refund_id=row.stripe_id,
        user=user,
    )
