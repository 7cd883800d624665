"""Money Stripe took that cannot be credited to an invoice: set aside visibly, the firm told, staff resolve.

Whatever arrives, a paid Checkout Session is recorded within one delivery: on its invoice when it is a
session this site opened for that invoice, amount and currency and the invoice can still take it; here
otherwise. Staff then apply it to an invoice of the same currency, or refund it in Stripe and mark it so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import ledger
from ..exceptions import LedgerError
from ..invoices.sites import invoice_site
from ..models import InvoicePage, PaymentMethod, PaymentSource, UnappliedPayment, UnappliedStatus
from ..reconciliation.common import UNAPPLIED_NOTICE
from ..reconciliation.notices import notify_after_commit

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SetAside:
    """Like ``ledger.Recorded``: the row, and whether this call created it."""

    entry: UnappliedPayment
    created: bool


def set_aside(
    *,
    site: Site,
    invoice: InvoicePage | None,
    amount: Decimal,
    currency: str,
    reason: str,
    detail: str = "",
    session_id: str = "",
    payment_intent_id: str = "",
    event_id: str = "",
    livemode: bool = False,
) -> SetAside:
    """Keep a payment that must not be credited; once per Stripe session or PaymentIntent."""
    found = find_set_aside(session_id, payment_intent_id)
    if found is not None:
        return SetAside(found, created=False)
    try:
        with transaction.atomic():
            row = UnappliedPayment.objects.create(
                site=site,
                invoice=invoice,
                client=invoice.client if invoice is not None else None,
                amount=amount,
                currency=currency,
                reason=reason,
                detail=detail[:500],
                stripe_checkout_session_id=session_id,
                stripe_payment_intent_id=payment_intent_id,
                stripe_event_id=event_id,
                livemode=livemode,
            )
    except IntegrityError:
        # Its twin (the other event, or the success page) set it aside at the same instant.
        found = find_set_aside(session_id, payment_intent_id)
        if found is None:
            raise
        return SetAside(found, created=False)
    logger.warning("Stripe payment %s set aside for review: %s", session_id or payment_intent_id, reason)
    notify_after_commit(UNAPPLIED_NOTICE, row.pk)
    return SetAside(row, created=True)


def find_set_aside(session_id: str, payment_intent_id: str) -> UnappliedPayment | None:
    """The money already set aside for this Stripe session or PaymentIntent, if any."""
    if session_id:
        row = UnappliedPayment.objects.filter(stripe_checkout_session_id=session_id).first()
        if row is not None:
            return row
    if payment_intent_id:
        return UnappliedPayment.objects.filter(stripe_payment_intent_id=payment_intent_id).first()
    return None


def needing_review(site: Site | None = None):
    rows = UnappliedPayment.objects.filter(status=UnappliedStatus.NEEDS_REVIEW).select_related(
        "invoice", "client"
    )
    return rows.filter(site=site) if site is not None else rows


def apply_to_invoice(row: UnappliedPayment | int, invoice: InvoicePage, user=None) -> ledger.Recorded:
    """Credit the money to an invoice of the same site and currency, with Stripe's ids, once."""
    pk = row if isinstance(row, int) else row.pk
    with transaction.atomic():
        locked = UnappliedPayment.objects.select_for_update().get(pk=pk)
        if locked.status != UnappliedStatus.NEEDS_REVIEW:
            raise LedgerError(_("That payment was already resolved."))
        if locked.site_id is not None and getattr(invoice_site(invoice), "pk", None) != locked.site_id:
            raise LedgerError(
                _("That invoice belongs to another site, whose Stripe account did not take this money.")
            )
        if invoice.voided_at:
            raise LedgerError(_("This invoice is void; payments cannot be recorded against it."))
        recorded = ledger.record_payment(
            invoice,
            amount=locked.amount,
            currency=locked.currency,
            method=PaymentMethod.CARD,
            source=PaymentSource.MANUAL,
            reference=invoice.invoice_number,
            note=_("Applied by staff from an unapplied Stripe payment."),
            stripe_payment_intent_id=locked.stripe_payment_intent_id,
            stripe_checkout_session_id=locked.stripe_checkout_session_id,
            user=user,
        )
        locked.status = UnappliedStatus.APPLIED
        locked.applied_payment = recorded.entry
        locked.resolved_at = timezone.now()
        locked.resolved_by = user if getattr(user, "is_authenticated", False) else None
        locked.save(update_fields=["status", "applied_payment", "resolved_at", "resolved_by"])
        return recorded


def mark_refunded(row: UnappliedPayment | int, user=None) -> bool:
    """Staff refunded it in Stripe: it leaves the review list. False when it was already resolved."""
    pk = row if isinstance(row, int) else row.pk
    return bool(
        UnappliedPayment.objects.filter(pk=pk, status=UnappliedStatus.NEEDS_REVIEW).update(
            status=UnappliedStatus.REFUNDED,
            resolved_at=timezone.now(),
            resolved_by=user if getattr(user, "is_authenticated", False) else None,
        )
    )
