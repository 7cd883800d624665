"""Stripe failing, the database failing mid-webhook, the mail service failing: the client sees a clear page,
the books stay right, and every payment ends up recorded and receipted exactly once."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError

from caseflow_wagtail.mail.receipts import deliver_receipt
from caseflow_wagtail.models import (
    CheckoutSession,
    EventOutcome,
    InvoiceStatus,
    Payment,
    ReceiptStatus,
    StripeEvent,
)
from caseflow_wagtail.payments import checkout
from caseflow_wagtail.signals import payment_recorded
from tests.db_faults import fail_once

from .conftest import checkout_creates

pytestmark = pytest.mark.django_db(transaction=True)

FRIENDLY = "We could not start the card payment just now. Nothing was charged; please try again shortly."
SESSIONS = "/v1/checkout/sessions"


# -- Stripe failing when the client clicks Pay Now ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "meaning"),
    [(500, "Stripe erroring"), (429, "rate-limited"), (401, "the key rejected")],
)
def test_stripe_failing_on_session_create_shows_the_invoice_with_a_message(
    online, make_invoice, client_browser, emulator, status, meaning
):
    invoice = make_invoice()
    # Two: a client is waiting, so the plugin retries a 500 once, with the same idempotency key.
    emulator.fail_next(path=SESSIONS, method="POST", status=status, count=2)

    response = client_browser.click_pay_now(invoice)

    assert response.status_code == 302, meaning
    assert response.headers["Location"] == invoice.url
    assert client_browser.messages(invoice) == [FRIENDLY]
    attempts = checkout_creates(emulator)
    assert attempts and {a["status"] for a in attempts} == {status}
    assert not CheckoutSession.objects.exists()
    assert not Payment.objects.exists()

    # Once Stripe answers again, the same click opens the session.
    emulator.clear_faults()
    retry = client_browser.click_pay_now(invoice)
    assert retry.headers["Location"].startswith(emulator.base_url + "/checkout/cs_")
    assert CheckoutSession.objects.count() == 1


def test_stripe_timing_out_on_session_create_shows_the_invoice_with_a_message(
    online, stripe_settings, make_invoice, client_browser, emulator
):
    # Two seconds for the whole attempt: 0.5 s for each of the two tries.
    stripe_settings.CASEFLOW_WAGTAIL = {**stripe_settings.CASEFLOW_WAGTAIL, "STRIPE_CLIENT_TIMEOUT": 2}
    invoice = make_invoice()
    # Both clicks must fall in one of the idempotency key's windows (the test takes about 6 s).
    window = checkout.KEY_WINDOW.total_seconds()
    if time.time() % window > window - 15:
        time.sleep(window - time.time() % window + 0.1)
    # Longer than the timeout, for the first try and the one retry a waiting client gets.
    emulator.delay_next(path=SESSIONS, method="POST", seconds=1.6, count=2)

    response = client_browser.click_pay_now(invoice)

    assert response.status_code == 302
    assert response.headers["Location"] == invoice.url
    assert client_browser.messages(invoice) == [FRIENDLY]
    assert not CheckoutSession.objects.exists()
    assert not Payment.objects.exists()

    # Stripe finished the timed-out request after the site gave up. The next click sends the same
    # idempotency key, so the client gets that session rather than a second one.
    emulator.clear_faults()
    retry = client_browser.click_pay_now(invoice)
    assert retry.status_code == 302
    session = CheckoutSession.objects.get()
    assert retry.headers["Location"] == session.url
    assert len({a["idempotency_key"] for a in checkout_creates(emulator)}) == 1
    in_stripe = emulator.stripe_client().v1.checkout.sessions.list()
    assert [s.id for s in in_stripe.data] == [session.stripe_id]


# -- the database failing while a webhook is processed ------------------------------------------------------


@contextlib.contextmanager
def signal_failure() -> Iterator[list[int]]:
    """The first new payment's transaction fails with a DatabaseError, as when the connection drops."""
    raised: list[int] = []

    def explode(sender, payment, **kwargs):
        if not raised:
            raised.append(payment.pk)
            raise DatabaseError("injected: server closed the connection unexpectedly")

    payment_recorded.connect(explode, dispatch_uid="paynow-tests-database-error")
    try:
        yield raised
    finally:
        payment_recorded.disconnect(dispatch_uid="paynow-tests-database-error")


def trigger_failure():
    """A real PostgreSQL error: a trigger refuses the first payment row inserted."""
    return fail_once(Payment._meta.db_table, "INSERT", "TRUE", "injected: disk full")


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(signal_failure, id="error-raised-in-the-ledger-transaction"),
        pytest.param(
            trigger_failure,
            id="postgresql-trigger",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="the trigger is written in PL/pgSQL: set DATABASE_URL=postgres://… to run it",
                ),
            ],
        ),
    ],
)
def test_a_database_error_mid_webhook_keeps_nothing_and_the_redelivery_records_once(
    online, make_invoice, client_browser, emulator, inject
):
    # Stripe's retry comes 1.5 s after the failure, time enough to look at what the failure left.
    emulator.configure(webhook_time_scale=1, webhook_retry_schedule=[1.5, 1.5, 1.5])
    # Only the session event, so the twin PaymentIntent event cannot record the payment meanwhile.
    emulator.webhook_fault("drop", count=1, types=["payment_intent.succeeded"])
    invoice = make_invoice(lines=[("Advice", "1", "640.00", None)])
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]

    with inject():
        paid = client_browser.pay_on_checkout(checkout_url)
        assert paid.status_code == 303  # the client does not come back: only the webhook records
        (delivery,) = emulator.wait_for_deliveries(
            lambda items: bool(items and items[0]["attempts"]), type="checkout.session.completed"
        )
        assert delivery["attempts"][0]["status"] == 500

        assert not Payment.objects.exists()
        invoice.refresh_from_db()
        assert invoice.balance == Decimal("640.00")
        assert invoice.status == InvoiceStatus.UNPAID
        event = StripeEvent.objects.get(stripe_id=delivery["event"])
        assert event.outcome == EventOutcome.FAILED
        assert "injected" in event.error
        assert mail.outbox == []

        emulator.wait_for_deliveries()

    (delivery,) = emulator.deliveries(type="checkout.session.completed")
    assert [a["status"] for a in delivery["attempts"]] == [500, 200]
    payment = Payment.objects.get()
    assert payment.amount == Decimal("640.00")
    event.refresh_from_db()
    assert event.outcome == EventOutcome.PROCESSED
    assert event.error == ""
    assert event.deliveries == 2
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert len(mail.outbox) == 1


# -- the mail service failing ---------------------------------------------------------------------------------


def test_the_mail_service_failing_keeps_the_payment_and_the_receipt_is_sent_once_when_it_recovers(
    online, make_invoice, client_browser, emulator, postmark
):
    invoice = make_invoice(lines=[("Advice", "1", "320.00", None)])
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]

    client_browser.pay_on_checkout(checkout_url)
    emulator.wait_for_deliveries()

    # Stripe got its 2xx for every event: a mail failure never makes it redeliver.
    deliveries = emulator.deliveries()
    assert {d["type"] for d in deliveries} == {"payment_intent.succeeded", "checkout.session.completed"}
    assert all(len(d["attempts"]) == 1 and d["attempts"][0]["status"] == 200 for d in deliveries)
    payment = Payment.objects.get()
    assert payment.amount == Decimal("320.00")
    assert payment.receipt_status == ReceiptStatus.FAILED
    assert payment.receipt_attempts == 1
    assert "AnymailRequestsAPIError" in payment.receipt_error
    assert [status for status, _body in postmark.received] == [500]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID

    # Stripe redelivering the event does not send the receipt either.
    emulator.resend_event(deliveries[0]["event"])
    emulator.wait_for_deliveries()
    assert len(postmark.received) == 1

    postmark.down = False
    call_command("caseflow_send_receipts", stdout=(out := io.StringIO()))
    assert out.getvalue() == "Receipts: 1 sent.\n"
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT
    assert payment.receipt_attempts == 2
    assert payment.receipt_error == ""
    (sent,) = postmark.sent()
    assert payment.receipt_message_id == sent["MessageID"]
    assert sent["To"] == "ada@acme.test"
    assert sent["Tag"] == "payment-recorded"
    assert sent["Metadata"] == {"payment_id": str(payment.pk), "invoice_id": str(invoice.pk)}
    assert invoice.invoice_number in sent["Subject"]

    # Running the retry again, or the task again, sends nothing more.
    call_command("caseflow_send_receipts", stdout=(again := io.StringIO()))
    assert again.getvalue() == "No receipts waiting.\n"
    assert deliver_receipt(payment.pk) == "already sent"
    assert len(postmark.sent()) == 1
