"""The session's event, its PaymentIntent twin and the client's return to the success page racing each
other for one multi-invoice payment, over real HTTP on PostgreSQL (SQLite has no row locks to race on)."""

from __future__ import annotations

import json
import time
from collections import Counter
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.core import mail

from caseflow_wagtail.models import CombinedPayment, InvoiceStatus, Payment, UnappliedPayment
from tests.accounts.paying import AccountBrowser
from tests.paynow.test_concurrency import last_event, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="concurrent deliveries need PostgreSQL's row locks: set DATABASE_URL=postgres://… to run them",
    ),
    pytest.mark.django_db(transaction=True),
]

RUNS = 100


def test_both_events_and_the_success_page_racing_record_one_payment_and_one_allocation_set_each_run(
    webhook, stripe_settings, make_invoice, client_browser, billing_client, emulator
):
    stripe_settings.CASEFLOW_WAGTAIL = {
        **stripe_settings.CASEFLOW_WAGTAIL,
        "PAY_LIMIT_PER_ADDRESS": (0, 60),
        "PAY_LIMIT_PER_INVOICE": (0, 600),
    }
    account = AccountBrowser(client_browser)
    http = [requests.Session() for _ in range(3)]
    started = time.monotonic()

    for run in range(RUNS):
        pair = [
            make_invoice(number=f"R{run}-a", lines=[("Advice", "1", "10.00", None)], due_in_days=1),
            make_invoice(number=f"R{run}-b", lines=[("Filing", "1", "20.00", None)], due_in_days=2),
        ]
        clicked = account.pay(billing_client, pair)
        assert clicked.status_code == 302, (run, clicked.text[:500])
        success_url = account.pay_on_checkout(clicked.headers["Location"]).headers["Location"]
        completed = webhook.body(last_event(emulator, "checkout.session.completed"))
        succeeded = webhook.body(last_event(emulator, "payment_intent.succeeded"))
        session_id = json.loads(completed)["data"]["object"]["id"]

        results = together(
            lambda: webhook.post(completed, http[0]),
            lambda: webhook.post(succeeded, http[1]),
            lambda: http[2].get(success_url, timeout=60),
        )

        assert [r for r in results if isinstance(r, Exception)] == [], f"run {run}"
        assert [r.status_code for r in results] == [200, 200, 200], f"run {run}"
        assert "payment received" in results[2].text, f"run {run}"
        (combined,) = CombinedPayment.objects.filter(checkout__stripe_id=session_id)
        shares = sorted(combined.allocations.values_list("invoice_id", "amount"))
        assert shares == [(pair[0].pk, Decimal("10.00")), (pair[1].pk, Decimal("20.00"))], f"run {run}"
        assert combined.stripe_checkout_session_id == session_id
        assert CombinedPayment.objects.count() == run + 1, f"run {run}"
        assert Payment.objects.count() == 2 * (run + 1), f"run {run}"
        assert len(mail.outbox) == run + 1, f"run {run}"
        for invoice in pair:
            invoice.refresh_from_db()
            assert invoice.status == InvoiceStatus.PAID, f"run {run}"

    elapsed = time.monotonic() - started
    assert not UnappliedPayment.objects.exists()
    assert len({p.stripe_payment_intent_id for p in CombinedPayment.objects.all()}) == RUNS
    won = Counter(CombinedPayment.objects.values_list("source", flat=True))
    print(
        f"\n{RUNS} multi-invoice races in {elapsed:.1f} s ({elapsed / RUNS * 1000:.0f} ms each); won by {won}"
    )
