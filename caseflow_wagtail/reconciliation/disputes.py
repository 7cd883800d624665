"""Disputes: noted as Stripe reports them; a lost one becomes one adjustment, never two."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ledger, money
from ..exceptions import LedgerError
from ..models import (
    Adjustment,
    StripeDispute,
)
from ..models.reconciliation import DisputeStatus
from .common import DISPUTE_NOTICE, payment_for, record_returned_money, to_datetime
from .notices import notify_after_commit

logger = logging.getLogger(__name__)


# -- disputes --------------------------------------------------------------------------------------------


def note_dispute(dispute: dict[str, Any]) -> bool:
    """Flag the payment and its invoice while a client's bank disputes the charge."""
    if dispute.get("object") != "dispute" or not dispute.get("id"):
        return False
    payment = payment_for(dispute)
    if payment is None:
        return False
    currency = (dispute.get("currency") or payment.currency).upper()
    status = dispute.get("status") or ""
    due = to_datetime((dispute.get("evidence_details") or {}).get("due_by"))
    with transaction.atomic():
        row = StripeDispute.objects.select_for_update().filter(stripe_id=dispute["id"]).first()
        fields = {
            "amount": money.from_minor_units(dispute["amount"], currency),
            "currency": currency,
            "reason": dispute.get("reason") or "",
            "status": status,
            "evidence_due_by": due,
        }
        closed = status in (DisputeStatus.WON, DisputeStatus.LOST)
        if row is None:
            row = StripeDispute.objects.create(
                stripe_id=dispute["id"],
                payment=payment,
                invoice_id=payment.invoice_id,
                opened_at=to_datetime(dispute.get("created")) or timezone.now(),
                closed_at=timezone.now() if closed else None,
                **fields,
            )
            notify_after_commit(DISPUTE_NOTICE, row.pk)
            return True
        was = row.status
        if all(getattr(row, name) == value for name, value in fields.items()):
            return False
        for name, value in fields.items():
            setattr(row, name, value)
        if closed and row.closed_at is None:
            row.closed_at = timezone.now()
        row.save()
        if status == DisputeStatus.LOST and was != DisputeStatus.LOST:
            notify_after_commit(DISPUTE_NOTICE, row.pk)
        return True


def record_dispute_loss(dispute: StripeDispute | int, user=None) -> ledger.Recorded[Adjustment]:
    """The bank kept the client's money: record it as a refund of the payment, once."""
    pk = dispute if isinstance(dispute, int) else dispute.pk
    with transaction.atomic():
        row = StripeDispute.objects.select_for_update().select_related("payment").get(pk=pk)
        if row.adjustment is not None:
            return ledger.Recorded(row.adjustment, created=False)
        if not row.is_lost:
            raise LedgerError(_("Only a lost dispute is recorded as an adjustment."))
        reason = _("Dispute lost in Stripe (%(dispute)s)") % {"dispute": row.stripe_id}
        recorded = record_returned_money(row, reason, user)
        row.adjustment = recorded.entry
        row.save(update_fields=["adjustment"])
        return recorded


def open_disputes():
    return StripeDispute.objects.filter(status__in=DisputeStatus.OPEN).select_related(
        "invoice", "invoice__client", "payment"
    )


def lost_disputes_awaiting_adjustment():
    return StripeDispute.objects.filter(status=DisputeStatus.LOST, adjustment__isnull=True).select_related(
        "invoice", "invoice__client", "payment"
    )
