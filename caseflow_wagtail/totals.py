"""What an invoice's lines may add up to.

Two rules, checked by the editor's form (as errors on the fields) and again by ``InvoicePage.save`` (every
other way of publishing: ``save_revision().publish()``, a schedule, code):

- every line amount, the subtotal, the tax and the total stay within ``money.LARGEST_AMOUNT``, so they are
  stored and read back exactly on every database instead of overflowing or being rounded;
- the total never goes below the credits recorded against the invoice: a credit forgives part of what is
  owed, and forgiving more than the whole invoice would leave a negative balance that nobody paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from . import money


class Line(Protocol):
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    tax_rate: Decimal | None

    def amount_in(self, currency: str) -> Decimal: ...

    def tax_in(self, currency: str) -> Decimal: ...


def _line_too_large(currency: str | None) -> str:
    return _(
        "This line (quantity times unit price) is too large: a line may come to at most %(largest)s."
    ) % {"largest": money.limit_text(currency)}


def raw_line_refusals(line: Line, currency: str | None = None) -> dict[str, str]:
    """Errors by field for a line whose price, or quantity times price, is too large before any rounding
    (which is also what keeps the rounding itself from failing)."""
    price, quantity = line.unit_price, line.quantity
    if price is None:
        return {}
    if not money.is_within_limit(price):
        return {"unit_price": money.too_large_message(currency)}
    if quantity is not None and not money.is_within_limit(quantity * price):
        return {"unit_price": _line_too_large(currency)}
    return {}


def line_refusals(line: Line, currency: str) -> dict[str, str]:
    """Errors by field for a line too large in this currency: its price, its amount (rounded half up to
    the currency, which can round past the limit) or its amount with tax."""
    refusals = raw_line_refusals(line, currency)
    if refusals:
        return refusals
    amount = line.amount_in(currency)
    if not money.is_within_limit(amount):
        return {"unit_price": _line_too_large(currency)}
    if line.tax_rate and not (
        money.is_within_limit(amount * line.tax_rate / 100)
        and money.is_within_limit(amount + line.tax_in(currency))
    ):
        return {
            "tax_rate": _("With tax this line is too large: a line may come to at most %(largest)s.")
            % {"largest": money.limit_text(currency)}
        }
    return {}


@dataclass
class Refusals:
    """Why an invoice's lines cannot be published: errors by line (index → field → message), and for the
    invoice as a whole."""

    lines: dict[int, dict[str, str]] = field(default_factory=dict)
    invoice: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines or self.invoice)

    def messages(self, lines: Sequence[Line]) -> list[str]:
        """Every refusal as one sentence, the line named (for a refusal outside the editor)."""
        found = [
            _("Line %(number)s (%(description)s): %(error)s")
            % {"number": index + 1, "description": lines[index].description, "error": error}
            for index, errors in sorted(self.lines.items())
            for error in errors.values()
        ]
        return found + self.invoice


def refusals(lines: Sequence[Line], currency: str, credited: Decimal = Decimal(0)) -> Refusals:
    """Check lines (saved or not) in a currency, against the credits recorded so far."""
    found = Refusals()
    for index, line in enumerate(lines):
        errors = line_refusals(line, currency)
        if errors:
            found.lines[index] = errors
    if found.lines:
        return found
    subtotal = sum((line.amount_in(currency) for line in lines), Decimal(0))
    tax_total = sum((line.tax_in(currency) for line in lines), Decimal(0))
    total = subtotal + tax_total
    if not all(money.is_within_limit(value) for value in (subtotal, tax_total, total)):
        found.invoice.append(
            _("The invoice total is too large: an invoice may come to at most %(largest)s.")
            % {"largest": money.limit_text(currency)}
        )
        return found
    refusal = credit_refusal(total, credited, currency)
    if refusal:
        found.invoice.append(refusal)
    return found


def credit_refusal(total: Decimal, credited: Decimal, currency: str) -> str:
    """Why the total may not go below the credits recorded (empty when it may)."""
    if total >= credited:
        return ""
    # The ledger never edits or deletes an entry, and no entry takes a credit back.
    return _(
        "This invoice has %(credited)s in credits; its total cannot go below that. A recorded credit "
        "cannot be undone: keep the total at %(credited)s or more, or void this invoice and issue a new one."
    ) % {"credited": money.format_money(credited, currency)}
