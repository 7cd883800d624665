"""Hostile and malformed deliveries: refused with a 4xx when they are not well-formed events, recorded as
failed and acknowledged when signed but impossible to process, never a 500 that Stripe retries for days,
and never money coerced out of a value of the wrong type."""

from __future__ import annotations

import datetime
import json
import secrets as secrets_module
import sys
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from django.views.debug import ExceptionReporter

from caseflow_wagtail.models import (
    CheckoutSession,
    EventOutcome,
    Payment,
    PaymentGatewaySettings,
    StripeEvent,
)
from caseflow_wagtail.payments.fulfilment import checkout_metadata

from .conftest import SECRET
from .test_endpoint import deliver, signed

pytestmark = pytest.mark.django_db


def session_event(invoice, site, amount_total, event_id: str = "evt_bad_amount", **extra) -> str:
    session = {
        "id": "cs_test_bad",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "status": "complete",
        "currency": "usd",
        "amount_total": amount_total,
        "payment_intent": "pi_bad",
        "metadata": checkout_metadata(invoice, site),
        **extra,
    }
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "checkout.session.completed",
            "livemode": False,
            "created": int(time.time()),
            "data": {"object": session},
        }
    )


def store_session(invoice, site, session_id: str, amount: str) -> CheckoutSession:
    return CheckoutSession.objects.create(
        invoice=invoice,
        site=site,
        stripe_id=session_id,
        url="https://checkout.stripe.com/c/pay/" + session_id,
        amount=Decimal(amount),
        currency=invoice.currency,
        balance=invoice.balance,
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )


def test_a_non_numeric_content_length_is_refused(client, url):
    body = json.dumps({"id": "evt_1", "object": "event", "type": "customer.created"})
    response = client.post(
        url,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(body),
        CONTENT_LENGTH="twelve",
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"id": "evt_nan", "object": "event", "type": "x", "created": NaN}', id="NaN"),
        pytest.param('{"id": "evt_inf", "object": "event", "type": "x", "n": Infinity}', id="Infinity"),
        pytest.param("[" * 50_000 + "]" * 50_000, id="nested-50000-deep"),
        pytest.param(
            json.dumps({"id": "evt_nodata", "object": "event", "type": "checkout.session.completed"}),
            id="no-data-object",
        ),
        pytest.param(
            json.dumps({"id": 7, "object": "event", "type": "x", "data": {"object": {}}}), id="numeric-id"
        ),
        pytest.param(
            json.dumps(
                {"id": "evt_t", "object": "event", "type": "x", "created": "today", "data": {"object": {}}}
            ),
            id="created-not-a-timestamp",
        ),
    ],
)
def test_signed_bodies_that_are_not_well_formed_events_are_refused(client, url, body):
    response = deliver(client, url, body, signed(body))
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize(
    "amount_total", ["1000", 1000.9, True, None], ids=["string", "float", "boolean", "missing"]
)
def test_a_signed_event_with_an_amount_of_the_wrong_type_is_recorded_failed_and_acknowledged(
    client, url, site, make_invoice, amount_total
):
    invoice = make_invoice(lines=[("Work", "1", "10.00", None)])
    body = session_event(invoice, site, amount_total)

    response = deliver(client, url, body, signed(body))

    assert response.status_code == 200
    assert response.json()["outcome"] == EventOutcome.FAILED
    stored = StripeEvent.objects.get()
    assert stored.outcome == EventOutcome.FAILED and stored.error
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_a_well_formed_amount_is_still_recorded(client, url, site, make_invoice):
    invoice = make_invoice(lines=[("Work", "1", "10.00", None)])
    # A session the plugin opened and stored: only those are credited.
    store_session(invoice, site, "cs_test_bad", "10.00")
    body = session_event(invoice, site, 1000, event_id="evt_good")

    response = deliver(client, url, body, signed(body))

    assert response.status_code == 200
    assert Payment.objects.get().amount == invoice.total


def test_the_debug_error_page_never_shows_a_stored_secret(settings, rf, site):
    settings.DEBUG = True
    gateway = PaymentGatewaySettings.for_site(site)
    # Set without a local variable of the test's own holding it: the page shows this frame too.
    gateway.set_secret_key("sk_test_" + secrets_module.token_hex(16))
    gateway.save()

    def crash() -> None:
        secrets = gateway.get_webhook_secrets()
        secret_key = gateway.get_secret_key()
        assert secrets and secret_key
        raise RuntimeError("a bug while holding secrets")

    try:
        crash()
    except RuntimeError:
        page = ExceptionReporter(rf.post("/webhook"), *sys.exc_info()).get_traceback_html()
    assert "a bug while holding secrets" in page
    assert SECRET not in page and SECRET[6:] not in page
    assert str(gateway.get_secret_key())[8:] not in page
