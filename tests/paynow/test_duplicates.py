"""Stripe delivers at least once and in no promised order: twice, reordered, or alongside the success page,
one payment is recorded and one receipt is sent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from caseflow_wagtail.models import EventOutcome, InvoiceStatus, Payment, PaymentSource, StripeEvent

pytestmark = pytest.mark.django_db(transaction=True)

PAID_EVENTS = ["payment_intent.succeeded", "checkout.session.completed"]


def first_attempt(delivery: dict) -> float:
    return min(attempt["at"] for attempt in delivery["attempts"])


@pytest.mark.parametrize("success_page", [False, True], ids=["webhooks-only", "with-success-page"])
def test_every_event_delivered_twice_records_one_payment(
    online, make_invoice, client_browser, emulator, success_page
):
    emulator.webhook_fault("duplicate", count=2, types=PAID_EVENTS)
    invoice = make_invoice(lines=[("Advice", "1", "275.00", None)])
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]

    paid = client_browser.pay_on_checkout(checkout_url)
    if success_page:
        assert client_browser.session.get(paid.headers["Location"], timeout=10).status_code == 200
    # The copy goes out just after the first delivery has succeeded.
    deliveries = emulator.wait_for_deliveries(
        lambda items: len(items) == 2 and all(len(d["attempts"]) == 2 for d in items)
    )

    assert sorted(d["type"] for d in deliveries) == sorted(PAID_EVENTS)
    for delivery in deliveries:
        assert [a["status"] for a in delivery["attempts"]] == [200, 200]
        assert [a["duplicate"] for a in delivery["attempts"]] == [False, True]
    payment = Payment.objects.get()
    assert payment.amount == Decimal("275.00")
    if not success_page:
        assert payment.source == PaymentSource.WEBHOOK
    assert len(mail.outbox) == 1
    events = StripeEvent.objects.order_by("type")
    assert [(e.type, e.deliveries, e.outcome) for e in events] == [
        ("checkout.session.completed", 2, EventOutcome.PROCESSED),
        ("payment_intent.succeeded", 2, EventOutcome.PROCESSED),
    ]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal("275.00")


def test_events_delivered_in_reverse_order_record_one_payment(online, make_invoice, client_browser, emulator):
    emulator.webhook_fault("reorder", count=2, types=PAID_EVENTS)
    invoice = make_invoice(lines=[("Advice", "1", "275.00", None)])
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]

    client_browser.pay_on_checkout(checkout_url)
    emulator.wait_for_deliveries()

    by_type = {d["type"]: d for d in emulator.deliveries()}
    # Stripe emits the PaymentIntent's event first; here the session's arrives first.
    assert first_attempt(by_type["checkout.session.completed"]) < first_attempt(
        by_type["payment_intent.succeeded"]
    )
    payment = Payment.objects.get()
    assert payment.amount == Decimal("275.00")
    # Recorded from the session event, completed with the ids the PaymentIntent's twin knows.
    assert payment.stripe_checkout_session_id.startswith("cs_")
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.stripe_charge_id.startswith("ch_")
    assert len(mail.outbox) == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_a_redelivery_days_later_records_nothing_new(online, make_invoice, client_browser, emulator):
    invoice = make_invoice()
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]
    client_browser.pay_on_checkout(checkout_url)
    emulator.wait_for_deliveries()
    assert Payment.objects.count() == 1

    for delivery in emulator.deliveries():
        emulator.resend_event(delivery["event"])
    emulator.wait_for_deliveries()

    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1
    assert sorted(StripeEvent.objects.values_list("deliveries", flat=True)) == [2, 2]
