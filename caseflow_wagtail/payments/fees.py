"""Stripe's fee and net for card payments, noted once the charge's balance transaction exists.

With asynchronous capture (Stripe's default since API version 2024-04-10) a charge's
``balance_transaction`` is null right after confirmation: on the success page and in
``checkout.session.completed`` alike. Stripe sends ``charge.updated`` when it is set, and the sync asks
Stripe about any card payment still without a fee. Noting a fee is information only: it never records or
changes a payment's amount, so nothing here can create a second payment.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from wagtail.models import Site

from .. import ledger, money, stripe_client
from ..exceptions import CaseflowError
from ..models import CombinedPayment, InvoicePage, Payment, PaymentMethod, StripeEvent
from ..stripe_api import StripeGateway
from . import cards

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fees:
    """Stripe's fee and net, in the balance transaction's currency, and the rate it converted at."""

    fee: Decimal
    net: Decimal
    currency: str
    exchange_rate: Decimal | None = None


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def fees_from_balance(balance: Any, currency: str) -> Fees | None:
    """Fee and net from an (expanded) balance transaction; None while it is not there yet.

    They are in the balance transaction's currency, the account's settlement currency, which is not always
    the payment's (``currency``, assumed only if Stripe named none): a yen payment to an account that
    settles in dollars has its fee in dollars, read with the dollar's two places.
    """
    if not isinstance(balance, dict) or balance.get("fee") is None or balance.get("net") is None:
        return None
    settlement = (balance.get("currency") or currency).upper()
    rate = money.exchange_rate(balance.get("exchange_rate"))
    if rate is None and balance.get("exchange_rate") is not None:
        logger.warning(
            "Stripe exchange rate %r of balance transaction %s is not a rate: not stored.",
            balance.get("exchange_rate"),
            balance.get("id", ""),
        )
    return Fees(
        fee=money.from_minor_units(balance["fee"], settlement),
        net=money.from_minor_units(balance["net"], settlement),
        currency=settlement,
        exchange_rate=rate,
    )


def note(payment: Payment | CombinedPayment, fees: Fees) -> bool:
    """Store ``fees`` on ``payment`` if it has none yet (information only: never changes its amount)."""
    return ledger.note_fees(
        payment, fee=fees.fee, net=fees.net, currency=fees.currency, exchange_rate=fees.exchange_rate
    )


@dataclass(frozen=True, slots=True)
class FeeTotal:
    """Stripe's fees and net deposits of several payments, in one currency."""

    currency: str
    fee: Decimal
    net: Decimal
    payments: int


def totals(payments: QuerySet[Payment]) -> list[FeeTotal]:
    """Fees and nets of these payments, one total per fee currency (dollars are never added to yen).

    Entries from before the fee currency was stored have it blank: their fee is in the payment's currency.
    """
    currency = Coalesce(NullIf("fee_currency", Value("")), "currency")
    rows = (
        payments.order_by()
        .filter(fee__isnull=False)
        .annotate(fee_in=currency)
        .values("fee_in")
        .annotate(fee_total=Sum("fee"), net_total=Sum("net"), count=Count("pk"))
        .order_by("fee_in")
    )
    return [
        FeeTotal(
            currency=row["fee_in"],
            fee=money.quantize(row["fee_total"], row["fee_in"]),
            net=money.quantize(row["net_total"] or Decimal(0), row["fee_in"]),
            payments=row["count"],
        )
        for row in rows
    ]


def payment_for_charge(charge: dict[str, Any], site: Site) -> Payment | CombinedPayment | None:
    """The card payment recorded on ``site`` for this charge (by the charge or its PaymentIntent): an
    invoice's payment, or the combined payment of several invoices, which holds the fee for all of them."""
    charge_id, intent_id = _id(charge.get("id")), _id(charge.get("payment_intent"))
    match = Q()
    if charge_id:
        match |= Q(stripe_charge_id=charge_id)
    if intent_id:
        match |= Q(stripe_payment_intent_id=intent_id)
    if not match:
        return None
    invoices = InvoicePage.objects.descendant_of(site.root_page, inclusive=True).values("pk")
    found = Payment.objects.filter(match, invoice__in=invoices).order_by("pk").first()
    if found is not None:
        return found
    return (
        CombinedPayment.objects.filter(match, allocations__invoice__in=invoices)
        .order_by("pk")
        .distinct()
        .first()
    )


def _gateway(site: Site) -> StripeGateway:
    return stripe_client.for_site(site)


def note_charge(charge: dict[str, Any], site: Site, stripe: StripeGateway | None = None) -> bool:
    """Note the fee of the payment this charge paid, if it is still missing and now known.

    Events are never expanded: a ``balance_transaction`` id is looked up with the site's own key.
    """
    payment = payment_for_charge(charge, site)
    return payment is not None and note_charge_fee(payment, charge, site, stripe)


def note_charge_fee(
    payment: Payment | CombinedPayment,
    charge: dict[str, Any],
    site: Site,
    stripe: StripeGateway | None = None,
) -> bool:
    """``note_charge`` for a payment already found."""
    if payment.fee is not None:
        return False
    balance = charge.get("balance_transaction")
    if not balance:
        return False  # asynchronous capture not finished: charge.updated will come
    if isinstance(balance, str):
        balance = (stripe or _gateway(site)).retrieve_balance_transaction(balance)
    fees = fees_from_balance(balance, payment.currency)
    if fees is None:
        return False
    return note(payment, fees)


def catch_up(payment_pk: int) -> bool:
    """A charge.updated processed before its payment existed noted nothing: apply it now (its card too).

    Runs after the payment's transaction commits; a failure here only leaves the fee for the sync.
    """
    payment = Payment.objects.filter(pk=payment_pk, fee__isnull=True).first()
    if payment is None or not payment.fee_pending:
        return False
    match = Q()
    if payment.stripe_charge_id:
        match |= Q(object_id=payment.stripe_charge_id)
    if payment.stripe_payment_intent_id:
        match |= Q(payload__data__object__payment_intent=payment.stripe_payment_intent_id)
    events = StripeEvent.objects.filter(match, type="charge.updated", site__isnull=False).order_by("-pk")
    for event in events.select_related("site")[:5]:
        charge = (event.payload.get("data") or {}).get("object") or {}
        cards.note(payment, charge)
        try:
            if note_charge(charge, event.site):
                return True
        except CaseflowError:
            logger.warning("Could not look up the Stripe fee of payment %s; the sync will.", payment.pk)
            return False
    return False


def fill_missing(site: Site, stripe: StripeGateway, since: datetime.datetime) -> tuple[int, list[str]]:
    """Ask Stripe about each recent card payment still without a fee; returns (noted, errors)."""
    invoices = InvoicePage.objects.descendant_of(site.root_page, inclusive=True).values("pk")
    payments = (
        Payment.objects.filter(
            invoice__in=invoices, method=PaymentMethod.CARD, fee__isnull=True, created_at__gte=since
        )
        .exclude(stripe_charge_id="", stripe_payment_intent_id="")
        .order_by("created_at")
    )
    noted, errors = 0, []
    for payment in payments:
        try:
            if payment.stripe_charge_id:
                charge: object = stripe.retrieve_charge(payment.stripe_charge_id)
            else:
                charge = stripe.retrieve_payment_intent(payment.stripe_payment_intent_id).get("latest_charge")
            if not isinstance(charge, dict):
                continue
            cards.note(payment, charge)  # already in hand: the card of a payment recorded without it
            if note_charge(charge, site, stripe):
                noted += 1
        except CaseflowError as error:
            errors.append(f"{payment.stripe_charge_id or payment.stripe_payment_intent_id}: {error}")
    return noted, errors
