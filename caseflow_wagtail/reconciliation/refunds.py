"""Refunds made in Stripe: noted as they arrive, then recorded as one refund adjustment each (automatically,
or when staff choose)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import conf, ledger, money, stripe_client
from ..exceptions import LedgerError
from ..models import (
    Adjustment,
    AdjustmentKind,
    StripeRefund,
)
from .common import REFUND_NOTICE, object_id, payment_for, record_returned_money, to_datetime
from .notices import notify_after_commit

logger = logging.getLogger(__name__)


# -- refunds ---------------------------------------------------------------------------------------------


def record_automatically() -> bool:
    return bool(conf.get("RECORD_STRIPE_REFUNDS_AUTOMATICALLY"))


def note_refund(refund: dict[str, Any]) -> bool:
    """Keep Stripe's refund of a recorded payment; True when something changed."""
    if refund.get("object") != "refund" or not refund.get("id"):
        return False
    payment = payment_for(refund)
    if payment is None:
        # A refund of money set aside (unapplied) resolves it; any other is not this ledger's business.
        return _refund_resolves_unapplied(refund)
    currency = (refund.get("currency") or payment.currency).upper()
    status = refund.get("status") or ""
    with transaction.atomic():
        row = StripeRefund.objects.select_for_update().filter(stripe_id=refund["id"]).first()
        if row is not None:
            if row.status == status:
                return False
            row.status = status
            row.save(update_fields=["status"])
            return True
        try:
            with transaction.atomic():
                row = StripeRefund.objects.create(
                    stripe_id=refund["id"],
                    payment=payment,
                    invoice_id=payment.invoice_id,
                    amount=money.from_minor_units(refund["amount"], currency),
                    currency=currency,
                    status=status,
                    reason=refund.get("reason") or "",
                    refunded_at=to_datetime(refund.get("created")) or timezone.now(),
                )
        except IntegrityError:
            # Its twin event (refund.* or charge.refunded) noted it at the same instant; it is there now.
            return note_refund(refund)
        if row.needs_reconciling:
            if record_automatically():
                try:
                    with transaction.atomic():
                        reconcile_refund(row, AdjustmentKind.REFUND)
                except LedgerError as error:
                    # E.g. staff already recorded this money by hand: leave the refund for them to decide,
                    # rather than fail the event and have Stripe redeliver it for days.
                    logger.warning("Stripe refund %s left for staff: %s", row.stripe_id, error)
                    row.refresh_from_db()
            notify_after_commit(REFUND_NOTICE, row.pk)
        return True


def _refund_resolves_unapplied(refund: dict[str, Any]) -> bool:
    from ..models import UnappliedPayment, UnappliedStatus

    intent = object_id(refund.get("payment_intent"))
    if not intent or refund.get("status") not in StripeRefund.MONEY_RETURNED:
        return False
    row = UnappliedPayment.objects.filter(
        stripe_payment_intent_id=intent, status=UnappliedStatus.NEEDS_REVIEW
    ).first()
    amount = refund.get("amount")
    if row is None or not isinstance(amount, int) or isinstance(amount, bool):
        return False
    if money.from_minor_units(amount, row.currency) < row.amount:
        return False  # a partial refund: the rest still needs staff
    return bool(
        UnappliedPayment.objects.filter(pk=row.pk, status=UnappliedStatus.NEEDS_REVIEW).update(
            status=UnappliedStatus.REFUNDED, resolved_at=timezone.now()
        )
    )


def note_charge_refunded(charge: dict[str, Any], site: Site | None) -> bool:
    """``charge.refunded`` carries the charge but not its refunds: Stripe includes ``charge.refunds`` only
    when expanded (since 2022-11-15) and never expands an event. So the charge's refunds are listed through
    the API of the site that received the event; a refund whose own ``refund.*`` event was lost or is late
    is noted all the same, and once, since ``note_refund`` is keyed on the Stripe refund id."""
    if charge.get("object") != "charge" or not charge.get("id"):
        return False
    if payment_for({"charge": charge["id"], "payment_intent": charge.get("payment_intent")}) is None:
        return False  # not a charge this ledger recorded (or not yet: ``catch_up`` comes back to it)
    changed = False
    for refund in _listed_refunds(charge["id"], site):
        changed = note_refund(refund) or changed
    return changed


def _listed_refunds(charge_id: str, site: Site | None) -> list[dict[str, Any]]:
    if site is None:
        raise LedgerError(_("No site is known for this Stripe event; its refunds cannot be listed."))
    return stripe_client.for_site(site).charge_refunds(charge_id)


def reconcile_refund(refund: StripeRefund | int, kind: str, user=None) -> ledger.Recorded[Adjustment]:
    """Record the adjustment matching a Stripe refund: the money went back to the client, and with a
    credit, what it reopens is forgiven. Recording twice returns the first adjustment."""
    if kind not in AdjustmentKind.values:
        raise ValueError(kind)
    pk = refund if isinstance(refund, int) else refund.pk
    with transaction.atomic():
        row = StripeRefund.objects.select_for_update().select_related("payment", "invoice").get(pk=pk)
        if row.adjustment is not None:
            return ledger.Recorded(row.adjustment, created=False)
        reason = _("Refunded in Stripe (%(refund)s)") % {"refund": row.stripe_id}
        recorded = record_returned_money(row, reason, user)
        if recorded.created and kind == AdjustmentKind.CREDIT:
            # The books must show the money going back (the refund) and that the client does not owe it
            # again (the credit); the balance ends where it was before the refund.
            ledger.record_adjustment(
                row.invoice_id,
                kind=AdjustmentKind.CREDIT,
                amount=row.amount,
                currency=row.currency,
                reason=_("Stripe refund %(refund)s forgiven") % {"refund": row.stripe_id},
                user=user,
            )
        row.adjustment = recorded.entry
        row.reconciled_at = timezone.now()
        row.reconciled_by = user if getattr(user, "is_authenticated", False) else None
        row.save(update_fields=["adjustment", "reconciled_at", "reconciled_by"])
        return recorded


def unreconciled_refunds():
    return (
        StripeRefund.objects.filter(adjustment__isnull=True, status__in=StripeRefund.MONEY_RETURNED)
        .select_related("invoice", "invoice__client", "payment")
        .order_by("-refunded_at")
    )
