"""Random sequences of payments, refunds and credits: the books always balance to the minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow_wagtail import ledger, money
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import Adjustment, AdjustmentKind, InvoicePage, Payment, PaymentMethod

pytestmark = pytest.mark.django_db

# One currency of each class: two, zero and three decimal places.
CURRENCIES = ["USD", "JPY", "KWD"]

operations = st.lists(
    st.tuples(
        st.sampled_from(["pay", "refund", "credit"]),
        # Amounts in minor units, from the smallest unit to more than the invoice's total.
        st.integers(min_value=1, max_value=150_000),
        # Now and then an amount with one decimal place too many, which must be refused.
        st.sampled_from([False] * 9 + [True]),
    ),
    min_size=1,
    max_size=12,
)


def in_major_units(minor: int, currency: str) -> Decimal:
    return money.from_minor_units(minor, currency)


def books(invoice: InvoicePage) -> tuple[Decimal, Decimal, Decimal]:
    """Payments, refunds and credits summed from the ledger's rows, not from the invoice's cached totals."""
    paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    adjustments = Adjustment.objects.filter(invoice=invoice)
    refunded = adjustments.filter(kind=AdjustmentKind.REFUND).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    credited = adjustments.filter(kind=AdjustmentKind.CREDIT).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return paid, refunded, credited


def snapshot(invoice: InvoicePage) -> tuple:
    row = InvoicePage.objects.get(pk=invoice.pk)
    return (
        Payment.objects.filter(invoice=invoice).count(),
        Adjustment.objects.filter(invoice=invoice).count(),
        row.amount_paid,
        row.amount_refunded,
        row.amount_credited,
        row.balance,
    )


@pytest.mark.parametrize("currency", CURRENCIES)
# The fixture only supplies the factory; every example builds its own invoice, so sharing it is intended.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total_minor=st.integers(min_value=1, max_value=100_000), steps=operations)
def test_balance_is_always_total_less_payments_plus_refunds_less_credits(
    make_invoice, currency, total_minor, steps
):
    total = in_major_units(total_minor, currency)
    invoice = make_invoice(lines=[("Advice", "1", str(total), None)], currency=currency)
    assert InvoicePage.objects.get(pk=invoice.pk).total == total
    exponent = Decimal(1).scaleb(-money.decimal_places(currency))

    for kind, minor, too_precise in steps:
        amount = in_major_units(minor, currency)
        if too_precise:
            amount += exponent / 10
        paid, refunded, credited = books(invoice)
        balance = total - paid + refunded - credited
        expect_refusal = too_precise or (
            (kind == "refund" and amount > paid - refunded) or (kind == "credit" and amount > balance)
        )
        before = snapshot(invoice)

        try:
            if kind == "pay":
                ledger.record_payment(
                    invoice, amount=amount, currency=currency, method=PaymentMethod.BANK_TRANSFER
                )
            else:
                ledger.record_adjustment(invoice, kind=kind, amount=amount, currency=currency, reason="Test")
        except LedgerError:
            assert expect_refusal, f"{kind} of {amount} {currency} was refused"
            assert snapshot(invoice) == before
        else:
            assert not expect_refusal, f"{kind} of {amount} {currency} was accepted"

        row = InvoicePage.objects.get(pk=invoice.pk)
        paid, refunded, credited = books(invoice)
        assert (row.amount_paid, row.amount_refunded, row.amount_credited) == (paid, refunded, credited)
        assert row.balance == total - paid + refunded - credited
        # Exact to the minor unit: nothing finer than the currency allows ever reaches the books.
        assert row.balance == row.balance.quantize(exponent)
        assert row.is_overpaid == (row.balance < 0)
