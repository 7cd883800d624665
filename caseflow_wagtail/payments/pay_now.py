"""Pay Now's rules: whether an invoice can be paid online now, for how much, and the amount a client may
type. Pure decisions over an invoice and its site's gateway settings: nothing here writes or calls Stripe,
so the invoice page can ask them while it renders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import money
from ..models.gateway import PaymentGatewaySettings


class Payable(Protocol):
    """What Pay Now reads of an invoice (the invoice page model, which renders Pay Now, is above this)."""

    currency: str
    balance: Decimal

    @property
    def is_payable(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PayNow:
    """What the invoice page offers a client."""

    available: bool
    currency: str = ""
    balance: Decimal = Decimal(0)
    # The most of the balance Stripe can charge: all of it, except where Stripe's amounts are coarser than
    # the ledger's (10.005 KWD: 10.000 by card, the 0.005 left is settled another way).
    payable: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    amount_editable: bool = False
    step: str = "0.01"

    @property
    def remainder(self) -> Decimal:
        """What is owed but cannot be paid by card now."""
        return self.balance - self.payable

    @property
    def over_maximum(self) -> bool:
        """The balance is more than Stripe takes in one card payment (the rest can be paid after)."""
        return self.payable == money.maximum_charge(self.currency) and self.remainder > 0


def pay_now_for(invoice: Payable, gateway: PaymentGatewaySettings | None) -> PayNow:
    if gateway is None or not invoice.is_payable:
        return PayNow(available=False)
    if not gateway.accepts_online_payments() or invoice.currency not in gateway.accepted_currencies():
        return PayNow(available=False)
    minimum = money.minimum_charge(invoice.currency)
    # The stored balance has the database's three places; the form shows the currency's own.
    balance = money.quantize(invoice.balance, invoice.currency)
    payable = min(money.chargeable_part(balance, invoice.currency), money.maximum_charge(invoice.currency))
    if payable < minimum:
        # Stripe cannot charge less than its minimum; such a remainder is settled another way.
        return PayNow(available=False)
    step = money.charge_step(invoice.currency)
    return PayNow(
        available=True,
        currency=invoice.currency,
        balance=balance,
        payable=payable,
        minimum=minimum,
        amount_editable=gateway.allow_amount_edit,
        step=str(step.normalize()) if step < 1 else "1",
    )


def clean_amount(pay_now: PayNow, raw: str | None) -> Decimal:
    """The amount to charge: what can be charged of the balance, or the client's amount when the firm
    allows it."""
    if not pay_now.amount_editable or raw in (None, ""):
        return pay_now.payable
    text = str(raw).strip()
    currency = pay_now.currency
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValidationError(_("Enter an amount greater than zero."))
    try:
        # Read in the client's language, and refused when it could be read two ways: "10,00" is
        # neither ten nor a thousand dollars to an English reader.
        amount = money.parse_amount(text)
    except ValueError:
        raise ValidationError(
            _("Enter an amount such as %(example)s.")
            % {"example": money.format_amount(pay_now.payable, currency)}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("Enter an amount greater than zero."))
    if amount > pay_now.balance:
        raise ValidationError(
            _("You can pay at most the balance due, %(balance)s.")
            % {"balance": money.format_money(pay_now.balance, currency)}
        )
    if amount > pay_now.payable and pay_now.over_maximum:
        raise ValidationError(
            _("One card payment can be at most %(maximum)s.")
            % {"maximum": money.format_money(pay_now.payable, currency)}
        )
    if not money.has_valid_precision(amount, currency):
        raise ValidationError(money.precision_message(currency))
    if not money.is_chargeable(amount, currency):
        raise ValidationError(money.charge_step_message(currency))
    if amount < pay_now.minimum:
        raise ValidationError(
            _("The smallest card payment is %(minimum)s.")
            % {"minimum": money.format_money(pay_now.minimum, currency)}
        )
    return money.quantize(amount, currency)
