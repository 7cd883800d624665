from __future__ import annotations

from decimal import Decimal

from django import template

from .. import money

register = template.Library()


@register.filter
def money_format(amount: Decimal | None, currency: str) -> str:
    """``{{ invoice.total|money_format:invoice.currency }}`` → “$1,234.50” in the active language."""
    return money.format_money(amount, currency)
