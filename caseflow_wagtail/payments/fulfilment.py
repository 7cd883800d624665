"""Stripe's word that money arrived → one ledger call. Shared by the webhook handlers, the success page and
the sync, so whichever comes first records the payment and the others find it already there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit, ledger, money
from ..exceptions import LedgerError
from ..invoices.sites import belongs_to
from ..ledger import Recorded
from ..models import (
    CheckoutSession,
    CheckoutStatus,
    InvoicePage,
    Payment,
    PaymentMethod,
    UnappliedPayment,
    UnappliedReason,
)
from ..stripe_api import StripeGateway
from .cards import card_of
from .fees import Fees, fees_from_balance
from .fees import note as note_fees
from .unapplied import SetAside, set_aside

logger = logging.getLogger(__name__)

INVOICE_KEY = "caseflow_invoice_id"
SITE_KEY = "caseflow_site_id"
# A session opened from a client's account page for several invoices (``payments.combined`` records it).
ACCOUNT_CHECKOUT_KEY = "caseflow_account_checkout"


def checkout_metadata(invoice: InvoicePage, site: Site) -> dict[str, str]:
    """What identifies an invoice to Stripe: ids and the number, never a name or a description."""
    return {INVOICE_KEY: str(invoice.pk), SITE_KEY: str(site.pk), "invoice_number": invoice.invoice_number}


def invoice_for(metadata: dict[str, Any] | None, site: Site) -> InvoicePage | None:
    """The invoice a Stripe object was created for on this site, or None when it is not ours.

    The metadata only names an invoice; it is this site's only when the invoice is in this site's tree,
    so an event received by one site never reaches another site's invoice, whatever it says.
    """
    metadata = metadata or {}
    if str(metadata.get(SITE_KEY, "")) != str(site.pk):
        return None
    try:
        pk = int(metadata.get(INVOICE_KEY, ""))
    except (TypeError, ValueError):
        return None
    invoice = InvoicePage.objects.filter(pk=pk).first()
    return invoice if invoice is not None and belongs_to(invoice, site) else None


def claims_to_be_ours(metadata: Any) -> bool:
    """Whether a Stripe object carries the plugin's metadata (another app on the account does not)."""
    return isinstance(metadata, dict) and (INVOICE_KEY in metadata or SITE_KEY in metadata)


def is_account_checkout(metadata: Any) -> bool:
    """Whether a Stripe object was created for several invoices at once (see ``payments.combined``)."""
    return isinstance(metadata, dict) and ACCOUNT_CHECKOUT_KEY in metadata


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


def _stored_session(session_id: str, site: Site) -> CheckoutSession | None:
    """The session as the plugin opened and stored it for this site, or None."""
    stored = CheckoutSession.objects.filter(stripe_id=session_id).select_related("invoice").first()
    if stored is None:
        return None
    if stored.site_id is not None and stored.site_id != site.pk:
        return None
    return stored if belongs_to(stored.invoice, site) else None


def _why_not_credited(
    session: dict[str, Any], site: Site, invoice: InvoicePage | None, amount_minor: int, currency: str
) -> tuple[str, str]:
    """Why this paid session cannot be credited to its invoice: (reason, detail), or ("", "")."""
    stored = _stored_session(session["id"], site)
    if stored is None or invoice is None or stored.invoice_id != invoice.pk:
        return UnappliedReason.UNKNOWN_SESSION, "No Checkout Session of this site's was opened with that id."
    if stored.currency != currency or money.to_minor_units(stored.amount, stored.currency) != amount_minor:
        return UnappliedReason.MISMATCH, (
            f"Opened for {money.format_money(stored.amount, stored.currency)}, "
            f"paid {money.format_money(money.from_minor_units(amount_minor, currency), currency)}."
        )
    if invoice.voided_at:
        return UnappliedReason.INVOICE_VOID, f"Invoice {invoice.invoice_number} is void."
    if invoice.currency != currency:
        return UnappliedReason.CURRENCY_CHANGED, (
            f"Paid in {currency}; invoice {invoice.invoice_number} is now in {invoice.currency}."
        )
    return "", ""


def record_checkout_session(
    session: dict[str, Any], site: Site, source: str, *, event_id: str = ""
) -> Recorded[Payment] | SetAside | None:
    """Record the payment of a paid Checkout Session; None when it is not paid or not the plugin's.

    Credited to its invoice only for a session this site opened and stored for that invoice, amount and
    currency, on an invoice that is not void and still in that currency. Otherwise the money is set aside
    (``SetAside``) for staff, and the firm is told: taken money is never left unrecorded.
    """
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return None
    metadata = session.get("metadata")
    if not claims_to_be_ours(metadata) or is_account_checkout(metadata):
        return None
    invoice = invoice_for(metadata, site)
    currency = (session.get("currency") or "").upper()
    amount_minor = session["amount_total"]
    amount = money.from_minor_units(amount_minor, currency)
    payment_intent = session.get("payment_intent")
    with transaction.atomic():
        if invoice is not None:
            # Locked, so a void or a republish cannot slip in between this check and the ledger's.
            invoice = InvoicePage.objects.select_for_update().get(pk=invoice.pk)
        kept = UnappliedPayment.objects.filter(stripe_checkout_session_id=session["id"]).first()
        if kept is not None:
            return SetAside(kept, created=False)  # set aside once: never credited as well later
        existing = Payment.objects.filter(stripe_checkout_session_id=session["id"]).first()
        if existing is not None and (invoice is None or existing.invoice_id != invoice.pk):
            return Recorded(existing, created=False)
        reason, detail = (
            ("", "") if existing else _why_not_credited(session, site, invoice, amount_minor, currency)
        )
        # No reason means an invoice to credit (_why_not_credited gives one when there is none).
        if not reason and invoice is not None:
            try:
                with transaction.atomic():
                    recorded = _credit(invoice, amount, currency, source, payment_intent, session["id"])
            except LedgerError as error:
                if _already_recorded(session["id"], _id(payment_intent)):
                    raise
                reason, detail = UnappliedReason.CURRENCY_CHANGED, str(error)
            else:
                mark_session(session["id"], CheckoutStatus.COMPLETE)
                return recorded
        mark_session(session["id"], CheckoutStatus.COMPLETE)
        return set_aside(
            site=site,
            invoice=invoice,
            amount=amount,
            currency=currency,
            reason=reason,
            detail=detail,
            session_id=session["id"],
            payment_intent_id=_id(payment_intent),
            event_id=event_id,
            livemode=bool(session.get("livemode")),
        )


class NotThisInvoice(Exception):
    """The session a client came back with is not one this site opened for the invoice they are on."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What Stripe says of a Checkout Session, and what was recorded for it."""

    session: dict[str, Any]
    recorded: Recorded[Payment] | SetAside | None

    @property
    def state(self) -> str:
        """``paid`` (credited), ``received`` (set aside for staff), ``processing`` (complete, money not yet
        confirmed), ``expired`` or ``open``."""
        if isinstance(self.recorded, SetAside):
            return "received"
        if self.session.get("payment_status") == "paid":
            return "paid"
        if self.session.get("status") == "complete":
            return "processing"
        return "expired" if self.session.get("status") == "expired" else "open"


def confirm_checkout_session(
    stripe: StripeGateway,
    session_id: str,
    site: Site,
    source: str,
    *,
    invoice: InvoicePage | None = None,
) -> Confirmation:
    """Ask Stripe about a Checkout Session and record what it says: the one way the success page, the sync
    and any other path confirm a payment (webhooks hand over the session itself, see the handlers).

    ``source`` labels the payment (``PaymentSource``). With ``invoice``, a session this site did not open
    for that invoice raises ``NotThisInvoice``. Raises ``StripeFailure`` when Stripe cannot be asked; nothing
    is recorded then, and the webhook or the next sync records the payment.
    """
    session = stripe.retrieve_checkout_session(session_id)
    if invoice is not None and invoice_for(session.get("metadata"), site) != invoice:
        raise NotThisInvoice(session_id)
    recorded = None
    if session.get("payment_status") == "paid":
        recorded = record_checkout_session(session, site, source)
    elif session.get("status") == "expired":
        mark_session(session_id, CheckoutStatus.EXPIRED)
    return Confirmation(session, recorded)


def _already_recorded(session_id: str, payment_intent_id: str) -> bool:
    query = Payment.objects.filter(stripe_checkout_session_id=session_id)
    if payment_intent_id:
        query = query | Payment.objects.filter(stripe_payment_intent_id=payment_intent_id)
    return query.exists()


def _credit(
    invoice: InvoicePage, amount, currency: str, source: str, payment_intent: Any, session_id: str = ""
) -> Recorded[Payment]:
    """The card payment Stripe took, credited to ``invoice`` with every Stripe id known of it (and the card
    and Stripe's fee when the PaymentIntent came expanded)."""
    card = card_of(payment_intent.get("latest_charge") if isinstance(payment_intent, dict) else None)
    recorded = ledger.record_payment(
        invoice,
        amount=amount,
        currency=currency,
        method=PaymentMethod.CARD,
        source=source,
        reference=invoice.invoice_number,
        stripe_payment_intent_id=_id(payment_intent),
        stripe_checkout_session_id=session_id,
        stripe_charge_id=_charge_id(payment_intent),
        card_brand=card.brand,
        card_last4=card.last4,
    )
    fees = _fees(payment_intent, currency)
    if fees is not None:
        note_fees(recorded.entry, fees)
    return recorded


def record_payment_intent(
    payment_intent: dict[str, Any], site: Site, source: str
) -> Recorded[Payment] | None:
    """Record a succeeded PaymentIntent created by a Checkout Session of ours (the twin of the session event).

    A PaymentIntent does not name its session, so it is credited only when this site opened a session for
    the same invoice, amount and currency, and the invoice can still take it; anything else is left to the
    session's own event, which credits it or sets it aside.
    """
    if payment_intent.get("status") != "succeeded":
        return None
    invoice = invoice_for(payment_intent.get("metadata"), site)
    if invoice is None:
        return None
    currency = (payment_intent.get("currency") or "").upper()
    amount = money.from_minor_units(payment_intent["amount_received"], currency)
    if UnappliedPayment.objects.filter(stripe_payment_intent_id=payment_intent["id"]).exists():
        return None
    already = Payment.objects.filter(stripe_payment_intent_id=payment_intent["id"]).exists()
    opened = CheckoutSession.objects.filter(
        Q(site=site) | Q(site__isnull=True), invoice=invoice, currency=currency, amount=amount
    )
    if not already and (not opened.exists() or invoice.voided_at or invoice.currency != currency):
        return None
    try:
        with transaction.atomic():
            return _credit(invoice, amount, currency, source, payment_intent)
    except LedgerError:
        if already:
            raise
        return None  # e.g. the currency changed meanwhile: the session's event sets it aside


def note_failure(obj: dict[str, Any], site: Site, *, event_id: str = "") -> bool:
    """Put a declined or failed payment on the invoice's history; nothing is recorded in the ledger."""
    invoice = invoice_for(obj.get("metadata"), site)
    if invoice is None:
        return False
    error = obj.get("last_payment_error") or {}
    log(
        instance=invoice,
        action=audit.PAYMENT_FAILED,
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
