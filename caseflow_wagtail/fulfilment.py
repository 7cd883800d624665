"""Stripe's word that money arrived → one ledger call. Shared by the webhook handlers and the success page,
so whichever comes first records the payment and the other finds it already there.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Site

from . import ledger, money
from .fees import Fees, fees_from_balance
from .ledger import Recorded
from .models import CheckoutSession, CheckoutStatus, InvoicePage, Payment, PaymentMethod

logger = logging.getLogger(__name__)

INVOICE_KEY = "caseflow_invoice_id"
SITE_KEY = "caseflow_site_id"
PAYMENT_FAILED = "caseflow_wagtail.payment_failed"


def checkout_metadata(invoice: InvoicePage, site: Site) -> dict[str, str]:
    """What identifies an invoice to Stripe: ids and the number, never a name or a description."""
    return {INVOICE_KEY: str(invoice.pk), SITE_KEY: str(site.pk), "invoice_number": invoice.invoice_number}


def invoice_for(metadata: dict[str, Any] | None, site: Site) -> InvoicePage | None:
    """The invoice a Stripe object was created for on this site, or None when it is not ours."""
    metadata = metadata or {}
    if str(metadata.get(SITE_KEY, "")) != str(site.pk):
        return None
    try:
        pk = int(metadata.get(INVOICE_KEY, ""))
    except (TypeError, ValueError):
        return None
    return InvoicePage.objects.filter(pk=pk).first()


def _id(value: Any) -> str:
    """An expandable field: the id whether Stripe sent the object or just its id."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _fees(payment_intent: Any, currency: str) -> Fees | None:
    """Fee and net from an expanded PaymentIntent (only the success page has one; events never expand).

    None with asynchronous capture until Stripe has set the balance transaction: ``charge.updated`` or
    the sync notes the fee then (see fees.py).
    """
    if not isinstance(payment_intent, dict):
        return None
    charge = payment_intent.get("latest_charge")
    balance = charge.get("balance_transaction") if isinstance(charge, dict) else None
    return fees_from_balance(balance, currency)


def _charge_id(payment_intent: Any) -> str:
    if isinstance(payment_intent, dict):
        return _id(payment_intent.get("latest_charge"))
    return ""


def record_checkout_session(session: dict[str, Any], site: Site, source: str) -> Recorded[Payment] | None:
    """Record the payment of a paid Checkout Session; None when it is not paid or not one of ours."""
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return None
    invoice = invoice_for(session.get("metadata"), site)
    if invoice is None:
        return None
    currency = (session.get("currency") or "").upper()
    payment_intent = session.get("payment_intent")
    recorded = ledger.record_payment(
        invoice,
        amount=money.from_minor_units(session["amount_total"], currency),
        currency=currency,
        method=PaymentMethod.CARD,
        source=source,
        reference=invoice.invoice_number,
        stripe_payment_intent_id=_id(payment_intent),
        stripe_checkout_session_id=session["id"],
        stripe_charge_id=_charge_id(payment_intent),
    )
    fees = _fees(payment_intent, currency)
    if fees is not None:
        ledger.note_fees(recorded.entry, fee=fees.fee, net=fees.net)
    mark_session(session["id"], CheckoutStatus.COMPLETE)
    return recorded


def record_payment_intent(
    payment_intent: dict[str, Any], site: Site, source: str
) -> Recorded[Payment] | None:
    """Record a succeeded PaymentIntent created by a Checkout Session of ours (the twin of the session event)."""
    if payment_intent.get("status") != "succeeded":
        return None
    invoice = invoice_for(payment_intent.get("metadata"), site)
    if invoice is None:
        return None
    currency = (payment_intent.get("currency") or "").upper()
    return ledger.record_payment(
        invoice,
        amount=money.from_minor_units(payment_intent["amount_received"], currency),
        currency=currency,
        method=PaymentMethod.CARD,
        source=source,
        reference=invoice.invoice_number,
        stripe_payment_intent_id=payment_intent["id"],
        stripe_charge_id=_id(payment_intent.get("latest_charge")),
    )


def note_failure(obj: dict[str, Any], site: Site, *, event_id: str = "") -> bool:
    """Put a declined or failed payment on the invoice's history; nothing is recorded in the ledger."""
    invoice = invoice_for(obj.get("metadata"), site)
    if invoice is None:
        return False
    error = obj.get("last_payment_error") or {}
    log(
        instance=invoice,
        action=PAYMENT_FAILED,
        data={
            "event_id": event_id,
            "code": error.get("code") or "",
            "decline_code": error.get("decline_code") or "",
            "message": error.get("message") or "",
        },
    )
    return True


def mark_session(session_id: str, status: str) -> bool:
    return bool(
        CheckoutSession.objects.filter(stripe_id=session_id).exclude(status=status).update(status=status)
    )


def note_success_page_seen(session_id: str) -> None:
    CheckoutSession.objects.filter(stripe_id=session_id, success_page_seen_at__isnull=True).update(
        success_page_seen_at=timezone.now()
    )
