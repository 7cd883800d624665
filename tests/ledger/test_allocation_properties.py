"""Random mixes of payments shared across several invoices, single payments, refunds and credits, in each
currency class: every invoice's balance is its total less the payments allocated to it (shares and single
payments alike) plus refunds less credits, to the minor unit, and each shared payment equals its shares."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow_wagtail import ledger, money
from caseflow_wagtail.accounts.pay_several import Payable, share_out
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import CombinedPayment, InvoicePage, Payment, PaymentMethod, PaymentSource
from tests.ledger.test_properties import CURRENCIES, books, in_major_units, snapshot

pytestmark = pytest.mark.django_db


def step() -> st.SearchStrategy:
    return st.tuples(
        st.sampled_from(["several", "several", "one", "refund", "credit"]),
        st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True),
        st.integers(1, 150_000),
        st.sampled_from([False] * 9 + [True]),  # one place too many: refused, nothing changes
    )


@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_balance_is_total_less_allocated_payments_plus_refunds_less_credits(
    make_invoice, billing_client, currency, data
):
    totals = [in_major_units(data.draw(st.integers(1, 100_000)), currency) for _ in range(3)]
    invoices = [
        make_invoice(lines=[("Advice", "1", str(total), None)], currency=currency, due_in_days=days)
        for total, days in zip(totals, (30, 10, 20), strict=True)
    ]
    exponent = Decimal(1).scaleb(-money.decimal_places(currency))

    for kind, picked, minor, too_precise in data.draw(st.lists(step(), min_size=1, max_size=10)):
        amount = in_major_units(minor, currency) + (exponent / 10 if too_precise else 0)
        chosen = [InvoicePage.objects.get(pk=invoices[i].pk) for i in picked]
        before = [snapshot(invoice) for invoice in invoices]
        try:
            if kind == "several":
                owed = [Payable(invoice, invoice.balance) for invoice in chosen if invoice.balance > 0]
                shares = share_out(owed, min(amount, sum((p.payable for p in owed), Decimal(0))))
                recorded = ledger.record_combined_payment(
                    [ledger.Allocation(share.invoice, share.amount) for share in shares],
                    client=billing_client,
                    currency=currency,
                    source=PaymentSource.WEBHOOK,
                    received_on=datetime.date.today(),
                )
                combined = CombinedPayment.objects.get(pk=recorded.entry.pk)
                parts = list(combined.allocations.order_by("pk").values_list("invoice_id", "amount"))
                assert [pk for pk, _amount in parts] == [share.invoice.pk for share in shares]
                assert combined.amount == sum((part for _pk, part in parts), Decimal(0))
                # Oldest due first: every share but the last pays its invoice's whole balance.
                by_due = sorted(owed, key=lambda p: p.invoice.due_date)
                for share, payable in zip(shares[:-1], by_due, strict=False):
                    assert share.invoice == payable.invoice and share.amount == payable.payable
            elif kind == "one":
                ledger.record_payment(
                    chosen[0], amount=amount, currency=currency, method=PaymentMethod.BANK_TRANSFER
                )
            else:
                ledger.record_adjustment(
                    chosen[0], kind=kind, amount=amount, currency=currency, reason="Test"
                )
        except LedgerError:
            assert [snapshot(invoice) for invoice in invoices] == before, "a refusal changed something"

        for invoice, total in zip(invoices, totals, strict=True):
            row = InvoicePage.objects.get(pk=invoice.pk)
            paid, refunded, credited = books(invoice)
            assert (row.amount_paid, row.amount_refunded, row.amount_credited) == (paid, refunded, credited)
            assert row.balance == total - paid + refunded - credited
            assert row.balance == row.balance.quantize(exponent)
    allocated = sum(
        Payment.objects.filter(combined_payment__isnull=False).values_list("amount", flat=True), Decimal(0)
    )
    assert allocated == sum(CombinedPayment.objects.values_list("amount", flat=True), Decimal(0))
