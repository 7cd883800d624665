"""Races the ledger must win: duplicate Stripe deliveries and simultaneous payments, on real row locks.

SQLite has no row locks (``select_for_update`` is a no-op there and writers take the whole file), so these
run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from caseflow_wagtail import ledger
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import InvoicePage, Payment, PaymentMethod, PaymentSource

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="row-lock races need PostgreSQL: set DATABASE_URL=postgres://… to run them",
    ),
    # Threads use their own connections, so the data must be committed: no wrapping test transaction.
    pytest.mark.django_db(transaction=True),
]


def run_in_threads(work, count: int = THREADS) -> list:
    """Run ``work(i)`` in ``count`` threads released together; return each result or the exception raised."""
    start = threading.Barrier(count)

    def worker(i: int):
        try:
            start.wait()
            return work(i)
        except Exception as error:  # collected and asserted on by the test
            return error
        finally:
            # Each thread has its own connection; an open one would block the test database's teardown.
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(worker, range(count)))


@pytest.mark.parametrize(
    ("currency", "price", "amount"),
    [("USD", "500.00", "125.50"), ("JPY", "50000", "12550"), ("KWD", "500.000", "125.550")],
)
def test_the_same_payment_delivered_by_many_threads_is_recorded_once(make_invoice, currency, price, amount):
    invoice = make_invoice(lines=[("Retainer", "1", price, None)], currency=currency)

    results = run_in_threads(
        lambda i: ledger.record_payment(
            invoice.pk,
            amount=Decimal(amount),
            currency=currency,
            method=PaymentMethod.CARD,
            source=PaymentSource.WEBHOOK if i % 2 else PaymentSource.SUCCESS_PAGE,
            stripe_payment_intent_id="pi_race",
            stripe_checkout_session_id="cs_race",
        )
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert sum(result.created for result in results) == 1
    assert len({result.entry.pk for result in results}) == 1
    assert Payment.objects.filter(invoice=invoice).count() == 1
    row = InvoicePage.objects.get(pk=invoice.pk)
    assert row.amount_paid == Decimal(amount)
    assert row.balance == Decimal(price) - Decimal(amount)


def test_different_payments_at_once_lose_no_update(make_invoice):
    invoice = make_invoice(lines=[("Retainer", "1", "1000.00", None)], currency="USD")

    results = run_in_threads(
        lambda i: ledger.record_payment(
            invoice.pk,
            amount=Decimal("10.01") + i,
            currency="USD",
            method=PaymentMethod.CARD,
            source=PaymentSource.WEBHOOK,
            stripe_payment_intent_id=f"pi_{i}",
        )
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    assert all(result.created for result in results)
    paid = sum(Decimal("10.01") + i for i in range(THREADS))
    assert Payment.objects.filter(invoice=invoice).count() == THREADS
    row = InvoicePage.objects.get(pk=invoice.pk)
    assert row.amount_paid == paid
    assert row.balance == Decimal("1000.00") - paid


def test_one_stripe_payment_raced_onto_two_invoices_lands_on_one(make_invoice):
    # A confused integration sends the same PaymentIntent for two invoices at once: the locks are on
    # different rows, so only the unique constraint stands between them.
    invoices = [make_invoice(lines=[("Retainer", "1", "300.00", None)]) for _ in range(2)]

    results = run_in_threads(
        lambda i: ledger.record_payment(
            invoices[i % 2].pk,
            amount=Decimal("100.00"),
            currency="USD",
            method=PaymentMethod.CARD,
            source=PaymentSource.WEBHOOK,
            stripe_payment_intent_id="pi_twice",
        )
    )

    assert Payment.objects.count() == 1
    winner = Payment.objects.get()
    for i, result in enumerate(results):
        if invoices[i % 2].pk == winner.invoice_id:
            assert not isinstance(result, Exception)
            assert result.entry.pk == winner.pk
        else:
            # The loser is told, rather than handed another invoice's payment as if it were its own.
            assert isinstance(result, LedgerError), result
    for invoice in invoices:
        row = InvoicePage.objects.get(pk=invoice.pk)
        expected = Decimal("100.00") if invoice.pk == winner.invoice_id else Decimal(0)
        assert row.amount_paid == expected
        assert row.balance == Decimal("300.00") - expected
