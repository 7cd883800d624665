"""The webhook endpoint refuses anything Stripe did not sign, and stores each event once."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.models import EventOutcome, PaymentGatewaySettings, StripeEvent

from .conftest import SECRET

pytestmark = pytest.mark.django_db


def event_body(
    event_type: str = "customer.created", event_id: str = "evt_test_1", livemode: bool = False
) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "livemode": livemode,
            "created": int(time.time()),
            "api_version": stripe.api_version,
            "data": {"object": {"id": "cus_123", "object": "customer"}},
        }
    )


def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp if timestamp is not None else int(time.time())
    )


def deliver(client, url, body: str, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post(url, data=body, content_type="application/json", **headers)


def test_a_signed_event_of_an_unhandled_type_is_stored_and_acknowledged(client, url):
    response = deliver(client, url, event_body(), signed(event_body()))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.stripe_id == "evt_test_1"
    assert stored.outcome == EventOutcome.IGNORED
    assert stored.object_id == "cus_123"


def test_a_redelivered_event_is_stored_once(client, url):
    body = event_body()
    first = deliver(client, url, body, signed(body))
    again = deliver(client, url, body, signed(body))

    assert first.status_code == again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    stored = StripeEvent.objects.get()
    assert stored.deliveries == 2


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("forged", 400),
        ("stale", 400),
        ("future", 400),
        ("missing header", 400),
        ("malformed json", 400),
        ("three megabytes", 413),
        ("not an event", 400),
    ],
)
def test_anything_stripe_did_not_sign_is_refused_and_nothing_is_written(client, url, case, status):
    body = event_body()
    now = int(time.time())
    signature = {
        "forged": signed(body, secret="whsec_" + "zz" * 16),
        "stale": signed(body, timestamp=now - 301),
        "future": signed(body, timestamp=now + 3600),
        "missing header": None,
    }.get(case, signed(body))
    if case == "malformed json":
        body = '{"id": "evt_1", "object": "event", '
        signature = signed(body)
    if case == "three megabytes":
        body = json.dumps({"id": "evt_big", "object": "event", "type": "x", "pad": "x" * 3_000_000})
        signature = signed(body)
    if case == "not an event":
        body = json.dumps(["evt_1"])
        signature = signed(body)

    response = deliver(client, url, body, signature)

    assert response.status_code == status
    assert StripeEvent.objects.count() == 0


def test_the_previous_secret_still_verifies_during_a_rotation(client, url, site):
    gateway = PaymentGatewaySettings.for_site(site)
    gateway.set_webhook_secret("whsec_" + "n4" * 16, keep_previous=True)
    gateway.save()
    body = event_body()

    assert deliver(client, url, body, signed(body, secret=SECRET)).status_code == 200
    body2 = event_body(event_id="evt_test_2")
    assert deliver(client, url, body2, signed(body2, secret="whsec_" + "n4" * 16)).status_code == 200


def test_events_of_the_other_mode_are_ignored(client, url):
    body = event_body(event_type="payment_intent.succeeded", livemode=True)

    response = deliver(client, url, body, signed(body))

    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == EventOutcome.IGNORED


def test_get_is_not_allowed_and_unknown_sites_404(client, url, site):
    assert client.get(url).status_code == 405
    body = event_body()
    missing = reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk + 100})
    assert deliver(client, missing, body, signed(body)).status_code == 404


def test_a_site_without_a_signing_secret_refuses_deliveries(client, home_page):
    site = Site.objects.get(is_default_site=True)
    url = reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})
    body = event_body()

    assert deliver(client, url, body, signed(body)).status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_redelivery_failing_on_a_busy_database_leaves_the_processed_event_processed(
    client, url, monkeypatch
):
    body = event_body()
    assert deliver(client, url, body, signed(body)).status_code == 200

    # The second delivery waits on the first one's lock and gives up ("database is locked" on SQLite).
    from django.db import OperationalError

    from caseflow_wagtail.webhooks import processing

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(processing, "_process_once", busy)
    again = deliver(client, url, body, signed(body))

    assert again.status_code == 500  # Stripe sends it again; nothing to redo when it does
    stored = StripeEvent.objects.get()
    assert stored.outcome == EventOutcome.IGNORED and stored.error == ""
    assert stored.deliveries == 2
