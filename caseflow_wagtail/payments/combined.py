"""Stripe's word that a client paid several invoices at once → one ledger call. Shared by the webhook
handlers (the session's event and its PaymentIntent twin), the success page and the sync, like
``fulfilment`` for one invoice: whichever comes first records the payment, the others find it.

Recorded as planned (``AccountCheckoutLine``) only for an account checkout this site opened, paid in its
amount and currency, while every invoice in it can still take its share; anything else is set aside for
staff, whole (``unapplied``): Stripe took the money, so it is recorded either way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from wagtail.models import Site

from .. import ledger, money
from ..exceptions import LedgerError
from ..invoices.sites import belongs_to
from ..ledger import Allocation, Recorded
from ..models import AccountCheckout, CheckoutStatus, CombinedPayment, UnappliedReason
from ..stripe_api import StripeGateway
from .cards import card_of
from .fees import fees_from_balance
from .fees import note as note_fees
from .fulfilment import ACCOUNT_CHECKOUT_KEY, SITE_KEY, _charge_id, _id
from .unapplied import SetAside, find_set_aside, set_aside


def checkout_for(metadata: Any, site: Site) -> AccountCheckout | None:
    """The account checkout a Stripe object names, if this site opened it (another site's never)."""
    if not isinstance(metadata, dict) or str(metadata.get(SITE_KEY, "")) != str(site.pk):
        return None
    try:
        reference = uuid.UUID(str(metadata.get(ACCOUNT_CHECKOUT_KEY, "")))
    except ValueError:
        return None
    return AccountCheckout.objects.filter(reference=reference, site=site).first()


def _why_not(checkout: AccountCheckout, site: Site, amount_minor: int, currency: str) -> tuple[str, str]:
    """Why a paid account checkout cannot be recorded as planned: (reason, detail), or ("", "")."""
    if checkout.currency != currency or money.to_minor_units(checkout.amount, currency) != amount_minor:
        return UnappliedReason.MISMATCH, (
            f"Opened for {money.format_money(checkout.amount, checkout.currency)}, "
            f"paid {money.format_money(money.from_minor_units(amount_minor, currency), currency)}."
        )
    for line in checkout.lines.select_related("invoice"):
        invoice = line.invoice
        if invoice.voided_at or not belongs_to(invoice, site):
            return UnappliedReason.INVOICE_VOID, f"Invoice {invoice.invoice_number} is void."
        if invoice.currency != currency:
            return UnappliedReason.CURRENCY_CHANGED, (
                f"Paid in {currency}; invoice {invoice.invoice_number} is now in {invoice.currency}."
            )
    return "", ""


def _record(
    checkout: AccountCheckout,
    site: Site,
    source: str,
    *,
    amount_minor: int,
    currency: str,
    payment_intent: Any,
    session_id: str = "",
    event_id: str = "",
    livemode: bool = False,
) -> Recorded[CombinedPayment] | SetAside:
    """With the checkout row locked: every path for one checkout waits here for the one before it."""
    checkout = AccountCheckout.objects.select_for_update().get(pk=checkout.pk)
    intent_id = _id(payment_intent)
    kept = find_set_aside(session_id or checkout.stripe_id, intent_id)
    if kept is not None:
        return SetAside(kept, created=False)  # set aside once: never recorded as well later
    card = card_of(payment_intent.get("latest_charge") if isinstance(payment_intent, dict) else None)
    existing = CombinedPayment.objects.filter(checkout=checkout).first()
    reason, detail = ("", "") if existing else _why_not(checkout, site, amount_minor, currency)
    if not reason:
        lines = list(checkout.lines.order_by("position"))
        try:
            with transaction.atomic():
                recorded = ledger.record_combined_payment(
                    [Allocation(line.invoice_id, line.amount) for line in lines],
                    client=checkout.client,
                    currency=currency,
                    source=source,
                    checkout=checkout,
                    stripe_payment_intent_id=intent_id,
                    stripe_charge_id=_charge_id(payment_intent),
                    stripe_checkout_session_id=session_id,
                    card_brand=card.brand,
                    card_last4=card.last4,
                )
        except LedgerError as error:
            if existing is not None:
                raise
            reason, detail = UnappliedReason.CURRENCY_CHANGED, str(error)
        else:
            _note_fees(recorded.entry, payment_intent, currency)
            _mark(checkout, CheckoutStatus.COMPLETE)
            return recorded
    _mark(checkout, CheckoutStatus.COMPLETE)
    first = checkout.lines.order_by("position").select_related("invoice__client").first()
    return set_aside(
        site=site,
        invoice=first.invoice if first is not None else None,
        amount=money.from_minor_units(amount_minor, currency),
        currency=currency,
        reason=reason,
        detail=detail,
        session_id=session_id or checkout.stripe_id,
        payment_intent_id=intent_id,
        event_id=event_id,
        livemode=livemode,
    )


def _note_fees(combined: CombinedPayment, payment_intent: Any, currency: str) -> None:
    """Fee and net when the PaymentIntent came expanded (the success page's and the sync's session)."""
    if not isinstance(payment_intent, dict) or not isinstance(payment_intent.get("latest_charge"), dict):
        return
    fees = fees_from_balance(payment_intent["latest_charge"].get("balance_transaction"), currency)
    if fees is not None:
        note_fees(combined, fees)


def _mark(checkout: AccountCheckout, status: str) -> None:
    AccountCheckout.objects.filter(pk=checkout.pk).exclude(status=status).update(status=status)


def record_account_checkout(
    session: dict[str, Any], site: Site, source: str, *, event_id: str = ""
) -> Recorded[CombinedPayment] | SetAside | None:
    """Record the payment of a paid account Checkout Session; None when it is not paid or not one of these.

    A session naming this site but no checkout it opened (or another session than the one stored) is set
    aside: the money is in the site's Stripe account either way.
    """
    metadata = session.get("metadata")
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return None
    if not isinstance(metadata, dict) or str(metadata.get(SITE_KEY, "")) != str(site.pk):
        return None
    currency = (session.get("currency") or "").upper()
    checkout = checkout_for(metadata, site)
    with transaction.atomic():
        if checkout is None or checkout.stripe_id not in ("", session["id"]):
            return set_aside(
                site=site,
                invoice=None,
                amount=money.from_minor_units(session["amount_total"], currency),
                currency=currency,
                reason=UnappliedReason.UNKNOWN_SESSION,
                detail="No account checkout of this site's was opened with that id.",
                session_id=session["id"],
                payment_intent_id=_id(session.get("payment_intent")),
                event_id=event_id,
                livemode=bool(session.get("livemode")),
            )
        return _record(
            checkout,
            site,
            source,
            amount_minor=session["amount_total"],
            currency=currency,
            payment_intent=session.get("payment_intent"),
            session_id=session["id"],
            event_id=event_id,
            livemode=bool(session.get("livemode")),
        )


def record_account_payment_intent(
    payment_intent: dict[str, Any], site: Site, source: str
) -> Recorded[CombinedPayment] | None:
    """The twin of the session's event: a succeeded PaymentIntent of an account checkout of this site's.

    Recorded only when it matches the checkout and every invoice can take its share; anything else is left
    to the session's own event, which records it or sets it aside.
    """
    if payment_intent.get("status") != "succeeded":
        return None
    checkout = checkout_for(payment_intent.get("metadata"), site)
    if checkout is None:
        return None
    currency = (payment_intent.get("currency") or "").upper()
    amount_minor = payment_intent["amount_received"]
    with transaction.atomic():
        if not CombinedPayment.objects.filter(checkout=checkout).exists() and _why_not(
            checkout, site, amount_minor, currency
        ) != ("", ""):
            return None
        recorded = _record(
            checkout,
            site,
            source,
            amount_minor=amount_minor,
            currency=currency,
            payment_intent=payment_intent,
        )
    return recorded if isinstance(recorded, Recorded) else None


@dataclass(frozen=True, slots=True)
class AccountConfirmation:
    """What Stripe says of an account Checkout Session, and what was recorded for it."""

    session: dict[str, Any]
    recorded: Recorded[CombinedPayment] | SetAside | None

    @property
    def state(self) -> str:
        """As ``fulfilment.Confirmation.state``: paid, received, processing, expired or open."""
        if isinstance(self.recorded, SetAside):
            return "received"
        if self.session.get("payment_status") == "paid":
            return "paid"
        if self.session.get("status") == "complete":
            return "processing"
        return "expired" if self.session.get("status") == "expired" else "open"


def confirm_account_checkout(
    stripe: StripeGateway, checkout: AccountCheckout, site: Site, source: str
) -> AccountConfirmation:
    """Ask Stripe about an account checkout's session and record what it says (success page, sync).

    Raises ``StripeFailure`` when Stripe cannot be asked; nothing is recorded then."""
    session = stripe.retrieve_checkout_session(checkout.stripe_id)
    recorded = None
    if session.get("payment_status") == "paid":
        recorded = record_account_checkout(session, site, source)
    elif session.get("status") == "expired":
        _mark(checkout, CheckoutStatus.EXPIRED)
    return AccountConfirmation(session, recorded)
