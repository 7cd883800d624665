"""Random sequences of payments, refunds, credits and edits of the invoice's total: the books always balance
to the minor unit, every amount accepted reads back exactly, and whatever is refused changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow_wagtail import ledger, money
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import (
    Adjustment,
    AdjustmentKind,
    InvoiceLine,
    InvoicePage,
    Payment,
    PaymentMethod,
)

pytestmark = pytest.mark.django_db

# One currency of each class: two, zero and three decimal places.
CURRENCIES = ["USD", "JPY", "KWD"]


def largest_minor(currency: str) -> int:
    """The limit (999,999,999,999.999, rounded down to the currency) in the currency's minor units."""
    return int(money.largest_amount(currency).scaleb(money.decimal_places(currency)))


def amounts_in_minor_units(currency: str) -> st.SearchStrategy[int]:
    """From the smallest unit to more than a small invoice's total; and around the limit: a little below
    it, exactly it, a little above it, and far above it (beyond what the columns hold)."""
    top = largest_minor(currency)
    return st.one_of(
        st.integers(min_value=1, max_value=150_000),
        st.integers(min_value=top - 150_000, max_value=top),
        st.integers(min_value=top + 1, max_value=top + 150_000),
        st.sampled_from([top // 2, top // 2 + 1, 10 * top, 10**17, 10**28]),
    )


def steps(currency: str) -> st.SearchStrategy[list]:
    return st.lists(
        st.tuples(
            st.sampled_from(["pay", "refund", "credit", "edit"]),
            amounts_in_minor_units(currency),
            # Now and then an amount with one decimal place too many, which must be refused.
            st.sampled_from([False] * 9 + [True]),
        ),
        min_size=1,
        max_size=12,
    )


def in_major_units(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-money.decimal_places(currency))


def books(invoice: InvoicePage) -> tuple[Decimal, Decimal, Decimal]:
    """Payments, refunds and credits summed from the ledger's rows (in Python: SQLite's SUM is floating
    point, which is no check of exactness)."""
    paid = sum(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True), Decimal(0))
    by_kind = {AdjustmentKind.REFUND: Decimal(0), AdjustmentKind.CREDIT: Decimal(0)}
    for kind, amount in Adjustment.objects.filter(invoice=invoice).values_list("kind", "amount"):
        by_kind[kind] += amount
    return paid, by_kind[AdjustmentKind.REFUND], by_kind[AdjustmentKind.CREDIT]


def snapshot(invoice: InvoicePage) -> tuple:
    row = InvoicePage.objects.get(pk=invoice.pk)
    return (
        sorted(Payment.objects.filter(invoice=invoice).values_list("pk", "amount")),
        sorted(Adjustment.objects.filter(invoice=invoice).values_list("pk", "kind", "amount")),
        row.total,
        row.amount_paid,
        row.amount_refunded,
        row.amount_credited,
        row.balance,
        list(row.lines.values_list("quantity", "unit_price")),
    )


def edit_total(invoice: InvoicePage, price: Decimal) -> None:
    page = InvoicePage.objects.get(pk=invoice.pk)
    page.lines = [InvoiceLine(description="Advice", quantity=Decimal(1), unit_price=price)]
    page.save_revision().publish()


def record(invoice: InvoicePage, kind: str, amount: Decimal, currency: str):
    if kind == "pay":
        return ledger.record_payment(
            invoice, amount=amount, currency=currency, method=PaymentMethod.BANK_TRANSFER
        )
    return ledger.record_adjustment(invoice, kind=kind, amount=amount, currency=currency, reason="Test")


@pytest.mark.parametrize("currency", CURRENCIES)
# The fixture only supplies the factory; every example builds its own invoice, so sharing it is intended.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_balance_is_always_total_less_payments_plus_refunds_less_credits(make_invoice, currency, data):
    largest = money.largest_amount(currency)
    total = in_major_units(
        data.draw(
            st.one_of(
                st.integers(1, 100_000), st.integers(largest_minor(currency) - 1000, largest_minor(currency))
            )
        ),
        currency,
    )
    invoice = make_invoice(lines=[("Advice", "1", str(total), None)], currency=currency)
    assert InvoicePage.objects.get(pk=invoice.pk).total == total
    exponent = Decimal(1).scaleb(-money.decimal_places(currency))

    for kind, minor, too_precise in data.draw(steps(currency)):
        amount = in_major_units(minor, currency)
        paid, refunded, credited = books(invoice)
        balance = total - paid + refunded - credited
        before = snapshot(invoice)

        if kind == "edit":
            # A new total: refused when too large to store exactly, or below the credits already given.
            expect_refusal = amount > largest or amount < credited
            try:
                edit_total(invoice, amount)
            except ValidationError as error:
                assert expect_refusal, f"a total of {amount} {currency} was refused: {error}"
                assert snapshot(invoice) == before
                assert ("too large" in str(error)) == (amount > largest)
            else:
                assert not expect_refusal, f"a total of {amount} {currency} was accepted"
                total = amount
        else:
            if too_precise:
                amount += exponent / 10
            too_large = amount > money.LARGEST_AMOUNT or (
                {"pay": paid, "refund": refunded, "credit": credited}[kind] + amount > money.LARGEST_AMOUNT
            )
            expect_refusal = (
                too_precise
                or too_large
                or (kind == "refund" and amount > paid - refunded)
                or (kind == "credit" and amount > balance)
            )
            try:
                recorded = record(invoice, kind, amount, currency)
            except LedgerError as error:
                assert expect_refusal, f"{kind} of {amount} {currency} was refused: {error}"
                assert snapshot(invoice) == before
                if amount > money.LARGEST_AMOUNT:
                    # Said to be too large, whatever else is wrong with it (1E+28 is not "too precise").
                    assert "too large" in str(error)
            else:
                assert not expect_refusal, f"{kind} of {amount} {currency} was accepted"
                # Read back exactly as recorded.
                model = Payment if kind == "pay" else Adjustment
                assert model.objects.values_list("amount", flat=True).get(pk=recorded.entry.pk) == amount

        row = InvoicePage.objects.get(pk=invoice.pk)
        paid, refunded, credited = books(invoice)
        assert row.total == total
        assert (row.amount_paid, row.amount_refunded, row.amount_credited) == (paid, refunded, credited)
        assert row.balance == total - paid + refunded - credited
        # Exact to the minor unit: nothing finer than the currency allows ever reaches the books.
        assert row.balance == row.balance.quantize(exponent)
        # Within the limit, so every database holds them exactly.
        assert all(
            money.is_within_limit(value) for value in (row.total, paid, refunded, credited, row.balance)
        )
        # Credits never exceed the total, so a negative balance is money paid and not yet refunded.
        assert credited <= row.total
        assert row.balance >= -(paid - refunded)
        assert row.is_overpaid == (row.balance < 0)
        assert row.overpaid_amount == max(-row.balance, Decimal(0))
