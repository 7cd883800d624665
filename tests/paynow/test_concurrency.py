"""Races over real HTTP on PostgreSQL: many copies of one delivery at once, and the two events of one payment
racing the client's return to the success page.

SQLite has no row locks (``select_for_update`` is a no-op and writers take the whole file), so these run on
PostgreSQL only.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
import stripe
from django.conf import settings
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import EventOutcome, InvoiceStatus, Payment, StripeEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="concurrent deliveries need PostgreSQL's row locks: set DATABASE_URL=postgres://… to run them",
    ),
    # The live server's threads use their own connections, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

PAID_EVENTS = ["payment_intent.succeeded", "checkout.session.completed"]


class Webhook:
    """Signed deliveries of the emulator's own events, posted by the test instead of the emulator."""

    def __init__(self, live_server, site, gateway, emulator) -> None:
        self.url = live_server.url + reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})
        self.secret = gateway.get_webhook_secrets()[0]
        self.stripe = emulator.stripe_client()

    def body(self, event_id: str) -> bytes:
        return json.dumps(self.stripe.v1.events.retrieve(event_id).to_dict()).encode()

    def headers(self, body: bytes) -> dict[str, str]:
        signature = stripe.WebhookSignature.generate_signature_header(
            body.decode(), self.secret, timestamp=int(time.time())
        )
        return {"Content-Type": "application/json", "Stripe-Signature": signature}

    def post(self, body: bytes, http: requests.Session) -> requests.Response:
        return http.post(self.url, data=body, headers=self.headers(body), timeout=60)

    def connect(self) -> http.client.HTTPConnection:
        """A connection the live server has already accepted. Its listen backlog is 10: fifty clients
        connecting at one instant would be refused by the kernel before the site saw them."""
        address = urlsplit(self.url)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        connection.connect()
        return connection

    def send(self, connection: http.client.HTTPConnection, body: bytes) -> tuple[int, dict]:
        connection.request("POST", urlsplit(self.url).path, body=body, headers=self.headers(body))
        response = connection.getresponse()
        status, answer = response.status, response.read()
        connection.close()
        return status, json.loads(answer) if status < 300 else {"error": answer.decode()}


@pytest.fixture
def webhook(live_server, live_site, online, emulator) -> Webhook:
    # The test delivers the events itself; the emulator records them but sends nothing.
    emulator.webhook_fault("drop", count=1000)
    return Webhook(live_server, live_site, online, emulator)


def together(*calls):
    """Run the calls in threads released at the same instant; return each result or the exception raised."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        try:
            return call()
        except Exception as error:  # asserted on by the test
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def last_event(emulator, event_type: str) -> str:
    return emulator.deliveries(type=event_type)[-1]["event"]


def test_fifty_concurrent_deliveries_of_one_event_record_one_payment(
    webhook, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "900.00", None)])
    client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    body = webhook.body(last_event(emulator, "checkout.session.completed"))

    connections = [webhook.connect() for _ in range(50)]

    responses = together(*[lambda c=c: webhook.send(c, body) for c in connections])

    assert [r for r in responses if isinstance(r, Exception)] == []
    assert [(status, answer) for status, answer in responses if status >= 500] == []
    outcomes = sorted(answer["outcome"] for _status, answer in responses)
    assert outcomes == ["duplicate"] * 49 + ["processed"]
    payment = Payment.objects.get()
    assert payment.amount == Decimal("900.00")
    event = StripeEvent.objects.get()
    assert event.outcome == EventOutcome.PROCESSED
    assert event.deliveries == 50
    assert len(mail.outbox) == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal("900.00")


RUNS = 100


def test_both_events_and_the_success_page_racing_record_one_payment_each_run(
    webhook, online, stripe_settings, make_invoice, client_browser, emulator
):
    # Many payments on one invoice from one address: the card-testing limits are not what is tested here.
    stripe_settings.CASEFLOW_WAGTAIL = {
        **stripe_settings.CASEFLOW_WAGTAIL,
        "PAY_LIMIT_PER_ADDRESS": (0, 60),
        "PAY_LIMIT_PER_INVOICE": (0, 600),
    }
    online.allow_amount_edit = True
    online.save()
    invoice = make_invoice(lines=[("Retainer", "1", f"{RUNS * 10}.00", None)])
    started = time.monotonic()
    http = [requests.Session() for _ in range(3)]

    for run in range(RUNS):
        clicked = client_browser.click_pay_now(invoice, amount="10.00")
        assert clicked.headers["Location"] != invoice.url, (run, client_browser.messages(invoice))
        checkout_url = clicked.headers["Location"]
        success_url = client_browser.pay_on_checkout(checkout_url).headers["Location"]
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
        (payment,) = Payment.objects.filter(stripe_checkout_session_id=session_id)
        assert payment.amount == Decimal("10.00")
        assert Payment.objects.count() == run + 1, f"run {run}"
        assert len(mail.outbox) == run + 1, f"run {run}"
        assert mail.outbox[-1].metadata["payment_id"] == str(payment.pk), f"run {run}"

    elapsed = time.monotonic() - started
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal(RUNS * 10)
    assert len({p.stripe_payment_intent_id for p in Payment.objects.all()}) == RUNS
    print(f"\n{RUNS} races in {elapsed:.1f} s ({elapsed / RUNS * 1000:.0f} ms each)")
