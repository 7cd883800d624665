"""Stripe's fee and net with asynchronous capture, Stripe's default at API version 2026-10-28.

Right after confirmation the charge's ``balance_transaction`` is null, on the success page and in
``checkout.session.completed`` alike; Stripe sends ``charge.updated`` when it is set. The fee is noted
then (information only: one payment, never a second), and the sync fills any fee still missing.
"""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal

import pytest
import requests
import stripe
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import EventOutcome, Payment, PaymentSource, StripeEvent
from caseflow_wagtail.reconciliation import recovery
from caseflow_wagtail.views.gateway import webhook_endpoint_url

pytestmark = pytest.mark.django_db(transaction=True)


def inspect(admin_client, payment) -> str:
    response = admin_client.get(reverse("caseflow_payments:inspect", args=[payment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def exported_fees(admin_client) -> tuple[str, str]:
    response = admin_client.get(reverse("caseflow_payments:index"), {"export": "csv"})
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return row["Stripe fee"], row["Net deposited"]


def pay(client_browser, invoice, success_page: bool = True):
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    assert paid.status_code == 303
    if success_page:
        page = client_browser.session.get(paid.headers["Location"], timeout=10)
        assert page.status_code == 200 and "payment received" in page.text
        return page
    return paid


@pytest.mark.parametrize(
    ("currency", "price", "fee", "net"),
    [
        # The emulator charges 2.9% + 30 minor units, rounded half up, in the charge's currency.
        ("USD", "1250.00", Decimal("36.55"), Decimal("1213.45")),
        ("JPY", "12500", Decimal("393"), Decimal("12107")),
        ("KWD", "125.500", Decimal("3.670"), Decimal("121.830")),
    ],
)
def test_the_fee_is_recorded_from_charge_updated_after_async_capture(
    online, make_invoice, client_browser, emulator, currency, price, fee, net
):
    online.currencies_accepted = "USD,JPY,KWD"
    online.save()
    invoice = make_invoice(lines=[("Advice", "1", price, None)], currency=currency)

    pay(client_browser, invoice)
    emulator.wait_for_deliveries()
    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (None, None)  # capture finishes in the background

    emulator.settle()
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert (payment.amount, payment.fee, payment.net) == (Decimal(price), fee, net)
    assert StripeEvent.objects.get(type="charge.updated").outcome == EventOutcome.PROCESSED
    assert len(mail.outbox) == 1  # one receipt, for the one payment


def test_the_success_page_first_shows_no_fee_and_charge_updated_fills_it(
    online, make_invoice, client_browser, emulator, admin_client
):
    emulator.webhook_fault("drop", count=2)  # checkout.session.completed and its twin are late
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])

    pay(client_browser, invoice)

    payment = Payment.objects.get()
    assert payment.source == PaymentSource.SUCCESS_PAGE
    assert (payment.fee, payment.net) == (None, None)
    assert "Fee pending" in inspect(admin_client, payment)
    assert exported_fees(admin_client) == ("", "")  # blank, not 0: unknown is not free

    emulator.settle()
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (Decimal("36.55"), Decimal("1213.45"))
    page = inspect(admin_client, payment)
    assert "Fee pending" not in page and "$36.55" in page and "$1,213.45" in page
    assert exported_fees(admin_client) == ("36.55", "1213.45")


def test_duplicate_and_resent_charge_updated_create_nothing_twice(
    online, live_site, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])
    pay(client_browser, invoice)
    emulator.wait_for_deliveries()
    emulator.webhook_fault("duplicate", count=1, types=["charge.updated"])

    emulator.settle()
    emulator.wait_for_deliveries()
    event = StripeEvent.objects.get(type="charge.updated")
    emulator.resend_event(event.stripe_id)
    emulator.wait_for_deliveries()

    # A twin: another event about the same charge (Stripe may send several for one change).
    twin = {**event.payload, "id": event.stripe_id + "twin"}
    body = json.dumps(twin)
    header = stripe.WebhookSignature.generate_signature_header(
        body, online.get_webhook_secrets()[0], timestamp=int(time.time())
    )
    answer = requests.post(
        webhook_endpoint_url(live_site),
        data=body.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 200

    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (Decimal("36.55"), Decimal("1213.45"))
    event.refresh_from_db()
    assert event.deliveries >= 3
    assert StripeEvent.objects.filter(type="charge.updated").count() == 2
    assert len(mail.outbox) == 1


def test_the_sync_replays_a_dropped_charge_updated(online, live_site, make_invoice, client_browser, emulator):
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])
    pay(client_browser, invoice)
    emulator.wait_for_deliveries()
    emulator.webhook_fault("drop", count=1, types=["charge.updated"])
    emulator.settle()
    emulator.wait_for_deliveries()
    assert Payment.objects.get().fee is None

    report = recovery.sync(live_site)

    assert report.ok, report.errors
    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (Decimal("36.55"), Decimal("1213.45"))


def test_the_sync_fills_a_fee_that_no_event_brought(
    online, live_site, make_invoice, client_browser, emulator
):
    # The firm's endpoint was set up before charge.updated was handled: the event was counted as
    # needing nothing, so only asking Stripe about the charge can fill the fee.
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])
    pay(client_browser, invoice)
    emulator.wait_for_deliveries()
    emulator.webhook_fault("drop", count=1, types=["charge.updated"])
    (charge,) = emulator.settle()
    emulator.wait_for_deliveries()
    (delivery,) = emulator.deliveries(type="charge.updated")
    StripeEvent.objects.create(
        stripe_id=delivery["event"],
        type="charge.updated",
        site=live_site,
        object_id=charge["id"],
        outcome=EventOutcome.IGNORED,
        payload={},
    )

    report = recovery.sync(live_site)

    assert report.ok, report.errors
    assert report.fees_noted == 1
    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (Decimal("36.55"), Decimal("1213.45"))
    assert recovery.sync(live_site).fees_noted == 0


def test_a_charge_updated_that_came_before_its_payment_is_applied_when_the_payment_is(
    online, make_invoice, client_browser, emulator
):
    emulator.webhook_fault("drop", count=2, types=["checkout.session.completed", "payment_intent.succeeded"])
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])
    pay(client_browser, invoice, success_page=False)
    emulator.settle()
    emulator.wait_for_deliveries()
    assert Payment.objects.count() == 0  # charge.updated found no payment to note a fee on

    emulator.resend_event(emulator.deliveries(type="checkout.session.completed")[0]["event"])
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert (payment.fee, payment.net) == (Decimal("36.55"), Decimal("1213.45"))
