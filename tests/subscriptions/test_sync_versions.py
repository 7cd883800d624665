"""Sync from Stripe on an account whose default API version is older than the one the plugin pins.

Stripe renders listed events at the version in force when each was created, not at the request's
Stripe-Version, so a 2024-06-20 event's invoice has its subscription and PaymentIntent at the top and no
``parent``. The sync must record exactly what the webhooks (delivered at the endpoint's pinned version)
would have.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from caseflow_wagtail.models import (
    CheckoutSession,
    Payment,
    StripeEvent,
    StripeRefund,
    Subscription,
    SubscriptionCycle,
)
from caseflow_wagtail.reconciliation import recovery
from tests.reconciliation.conftest import pay

from .conftest import advance_past_period_end, complete_setup, create_via_admin, setup_link_from_admin

pytestmark = pytest.mark.django_db(transaction=True)

OLD_VERSION = "2024-06-20"  # before basil (2025-03-31) moved invoice and subscription fields


def _ledger() -> dict:
    """What the firm's books say, without Stripe ids that differ between runs."""
    return {
        "payments": sorted(
            (str(p.amount), p.currency, p.method, bool(p.stripe_payment_intent_id), bool(p.stripe_charge_id))
            for p in Payment.objects.all()
        ),
        "refunds": sorted(str(r.amount) for r in StripeRefund.objects.all()),
        "cycles": sorted(
            (c.status, str(c.amount), c.invoice is not None and str(c.invoice.balance))
            for c in SubscriptionCycle.objects.select_related("invoice")
        ),
        "subscription": [(s.status, s.current_period_end is not None) for s in Subscription.objects.all()],
    }


EXPECTED = {
    "payments": [
        ("100.000", "USD", "card", True, True),
        ("250.000", "USD", "card", True, False),
        ("250.000", "USD", "card", True, False),
    ],
    "refunds": ["30.000"],
    "cycles": [("paid", "250.000", "0.000"), ("paid", "250.000", "0.000")],
    "subscription": [("active", True)],
}


@pytest.mark.parametrize("webhooks", ["delivered", "dropped"])
def test_a_sync_of_old_version_events_records_what_the_webhooks_would_have(
    webhooks, firm, staff, clocked_client, client_browser, emulator, live_site, make_invoice, stripe_client
):
    emulator.configure(account_api_version=OLD_VERSION)
    if webhooks == "dropped":
        emulator.webhook_fault("drop", count=1000)

    invoice = make_invoice(lines=[("Work", "1", "100.00", None)])
    pay(client_browser, emulator, invoice, success_page=False)
    session = CheckoutSession.objects.get(invoice=invoice).stripe_id
    intent = stripe_client.v1.checkout.sessions.retrieve(session).payment_intent
    emulator.refund(payment_intent=intent, amount=3000)

    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    emulator.wait_for_deliveries(timeout=20)

    if webhooks == "dropped":
        assert {d["status"] for d in emulator.deliveries()} == {"dropped"}
        emulator.clear_faults()
        report = recovery.sync(live_site)
        assert report.ok, report.lines()
        assert report.events_failed == 0 and report.events_skipped == 0
        # The handlers were given the objects at the pinned version, fetched again, not the old shape.
        stored = StripeEvent.objects.filter(type="invoice.paid")
        assert stored.count() == 2
        for row in stored:
            assert row.api_version == OLD_VERSION
            invoice_obj = row.payload["data"]["object"]
            assert invoice_obj["parent"]["subscription_details"]["subscription"]
            assert "paid" not in invoice_obj and "payment_intent" not in invoice_obj
        # Run again: nothing new, everything already processed.
        again = recovery.sync(live_site)
        assert again.events_processed == 0 and again.payments_recorded == 0

    assert stripe_client.v1.events.list(params={"limit": 1}).data[0].api_version == OLD_VERSION
    assert _ledger() == EXPECTED
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("0.00")  # refunds are noted, not adjusted, unless set to automatic
    mail.outbox.clear()
