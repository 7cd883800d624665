"""Paying several invoices at once from the account page: which can be ticked, and how a payment is shared.

Pure decisions over the client's open invoices and the site's gateway settings, like ``payments.pay_now``
for one invoice (whose rules each invoice must pass): nothing here writes or calls Stripe.

The rule for sharing: the amount goes to the ticked invoices oldest due date first, each receiving all it
can take by card before the next receives anything. Paying the full total pays every ticked invoice; paying
less leaves the latest-due ones open (or partly paid).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import money
from ..models import InvoicePage, PaymentGatewaySettings
from ..payments.pay_now import PayNow, clean_amount, pay_now_for


@dataclass(frozen=True, slots=True)
class Payable:
    """One invoice that may be ticked, and the most of its balance a card can pay."""

    invoice: InvoicePage
    payable: Decimal


@dataclass(frozen=True, slots=True)
class PayGroup:
    """The invoices of one currency that can be paid together, earliest due first."""

    currency: str
    invoices: tuple[Payable, ...]
    amount_editable: bool

    @property
    def total(self) -> Decimal:
        return sum((item.payable for item in self.invoices), Decimal(0))

    def pay_now(self, chosen: Sequence[Payable]) -> PayNow:
        """Pay Now's terms for the ticked invoices together, so one amount is checked by one set of rules."""
        owed = sum((item.payable for item in chosen), Decimal(0))
        return PayNow(
            available=True,
            currency=self.currency,
            balance=owed,
            payable=min(owed, money.maximum_charge(self.currency)),
            minimum=money.minimum_charge(self.currency),
            amount_editable=self.amount_editable,
            step=_step(self.currency),
        )


@dataclass(frozen=True, slots=True)
class Share:
    invoice: InvoicePage
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Plan:
    """What one Checkout Session will charge, and what each invoice receives of it."""

    currency: str
    shares: tuple[Share, ...]

    @property
    def total(self) -> Decimal:
        return sum((share.amount for share in self.shares), Decimal(0))


def _step(currency: str) -> str:
    step = money.charge_step(currency)
    return str(step.normalize()) if step < 1 else "1"


def pay_groups(
    invoices: Iterable[InvoicePage], gateway: PaymentGatewaySettings | None
) -> tuple[PayGroup, ...]:
    """The open invoices a client may tick, by currency (in code order): those Pay Now would offer alone.

    A currency with a single payable invoice is a group too: paying it here is paying that invoice."""
    by_currency: dict[str, list[Payable]] = {}
    for invoice in invoices:
        terms = pay_now_for(invoice, gateway)
        if terms.available:
            by_currency.setdefault(terms.currency, []).append(Payable(invoice, terms.payable))
    editable = bool(gateway and gateway.allow_amount_edit)
    return tuple(
        PayGroup(currency, tuple(sorted(items, key=_due_order)), editable)
        for currency, items in sorted(by_currency.items())
    )


def _due_order(item: Payable) -> tuple:
    invoice = item.invoice
    return (invoice.due_date, invoice.issue_date, invoice.invoice_number, invoice.pk)


def share_out(chosen: Sequence[Payable], amount: Decimal) -> tuple[Share, ...]:
    """``amount`` over ``chosen`` oldest due first; invoices it does not reach get no share."""
    left = amount
    shares = []
    for item in sorted(chosen, key=_due_order):
        if left <= 0:
            break
        part = min(item.payable, left)
        shares.append(Share(item.invoice, part))
        left -= part
    return tuple(shares)


class PayError(ValidationError):
    """Why the ticked invoices or the amount cannot be paid; ``field`` says where to show it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def plan_payment(
    groups: Sequence[PayGroup], currency: str, ticked: Iterable[str], raw_amount: str | None
) -> Plan:
    """The plan for what the client ticked and typed, or ``PayError``."""
    group = next((group for group in groups if group.currency == currency), None)
    if group is None:
        raise PayError(_("These invoices cannot be paid online right now."), "invoices")
    offered = {str(item.invoice.pk): item for item in group.invoices}
    wanted = set(ticked)
    if not wanted:
        raise PayError(_("Tick at least one invoice to pay."), "invoices")
    if not wanted <= offered.keys():
        # An invoice paid, voided or changed since the page was shown, or one that was never offered.
        raise PayError(
            _("One of the invoices you ticked can no longer be paid here. Check the list and try again."),
            "invoices",
        )
    chosen = [offered[pk] for pk in offered if pk in wanted]
    terms = group.pay_now(chosen)
    if not terms.amount_editable and terms.payable < terms.balance:
        raise PayError(
            _("One card payment can be at most %(maximum)s: tick fewer invoices.")
            % {"maximum": money.format_money(terms.payable, currency)},
            "invoices",
        )
    try:
        amount = clean_amount(terms, raw_amount)
    except ValidationError as error:
        raise PayError(error.messages[0], "amount") from None
    if amount < terms.minimum:
        raise PayError(
            _("The smallest card payment is %(minimum)s.")
            % {"minimum": money.format_money(terms.minimum, currency)},
            "invoices",
        )
    return Plan(currency, share_out(chosen, amount))
