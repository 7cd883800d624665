"""Signed, asynchronous, retried webhook delivery, and the faults a site's tests can inject."""

from __future__ import annotations

import json

import pytest
import stripe

from caseflow_wagtail.testing.receiver import WebhookReceiver

from .scenarios import checkout_session, pay_session


def _endpoint(client: stripe.StripeClient, url: str, events: list[str] | None = None) -> str:
    endpoint = client.v1.webhook_endpoints.create(params={"url": url, "enabled_events": events or ["*"]})
    return endpoint.secret


def _verify(request, secret: str) -> stripe.Event:
    return stripe.Webhook.construct_event(request.body.decode(), request.signature, secret)


def test_paid_checkout_delivers_signed_events(stripe_emulator, stripe_client, webhook_receiver):
    secret = _endpoint(stripe_client, webhook_receiver.url)
    session = checkout_session(stripe_client)
    pay_session(session.url, "4242424242424242")
    received = webhook_receiver.wait_for_types(
        "checkout.session.completed", "payment_intent.succeeded", "charge.succeeded", "payment_intent.created"
    )
    events = [_verify(r, secret) for r in received]
    completed = next(e for e in events if e.type == "checkout.session.completed")
    assert completed.data.object.id == session.id and completed.data.object.payment_status == "paid"
    assert completed.data.object.metadata["invoice"] == "42"
    assert received[0].signature.startswith("t=") and ",v1=" in received[0].signature
    assert received[0].headers["Content-Type"].startswith("application/json")
    deliveries = stripe_emulator.wait_for_deliveries()
    assert deliveries and all(d["status"] == "succeeded" for d in deliveries)
    assert all(len(d["attempts"]) == 1 and d["attempts"][0]["status"] == 200 for d in deliveries)
    pending = stripe_client.v1.events.list(params={"delivery_success": False}).data
    assert pending == []


def test_decline_and_refund_events(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(
        stripe_client,
        webhook_receiver.url,
        ["payment_intent.payment_failed", "charge.refunded", "refund.created"],
    )
    session = checkout_session(stripe_client)
    pay_session(session.url, "4000000000000002")
    pay_session(session.url, "4242424242424242")
    pi = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
    stripe_client.v1.refunds.create(params={"payment_intent": pi, "amount": 500})
    webhook_receiver.wait_for_types("payment_intent.payment_failed", "charge.refunded", "refund.created")
    stripe_emulator.wait_for_deliveries()
    assert sorted(webhook_receiver.types()) == [
        "charge.refunded",
        "payment_intent.payment_failed",
        "refund.created",
    ]
    failed = next(e for e in webhook_receiver.events() if e["type"] == "payment_intent.payment_failed")
    assert failed["data"]["object"]["last_payment_error"]["decline_code"] == "generic_decline"


def test_non_2xx_is_retried_with_backoff_and_every_attempt_recorded(stripe_emulator, stripe_client):
    answers = iter([500, 503, 200])
    with WebhookReceiver(lambda _r: next(answers)) as receiver:
        stripe_emulator.configure(webhook_time_scale=1 / 36000)  # Stripe's 1 h, 2 h → 0.1 s, 0.2 s
        _endpoint(stripe_client, receiver.url, ["customer.created"])
        stripe_client.v1.customers.create()
        deliveries = stripe_emulator.wait_for_deliveries(timeout=5)
    (delivery,) = deliveries
    assert delivery["status"] == "succeeded"
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    gaps = [b["at"] - a["at"] for a, b in zip(delivery["attempts"], delivery["attempts"][1:], strict=False)]
    assert gaps[0] >= 3600 / 36000 * 0.9 and gaps[1] >= 7200 / 36000 * 0.9 and gaps[1] > gaps[0]
    event = stripe_client.v1.events.list(params={"type": "customer.created"}).data[0]
    assert event.pending_webhooks == 0


def test_gives_up_after_the_schedule_and_reports_unreachable(stripe_emulator, stripe_client):
    stripe_emulator.configure(webhook_retry_schedule=[0.01, 0.01], webhook_time_scale=1, webhook_timeout=1)
    _endpoint(stripe_client, "http://127.0.0.1:9/unreachable", ["customer.created"])
    stripe_client.v1.customers.create()
    (delivery,) = stripe_emulator.wait_for_deliveries(timeout=5)
    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 3
    assert all(a["status"] is None and a["error"] for a in delivery["attempts"])
    assert len(stripe_client.v1.events.list(params={"delivery_success": False}).data) == 1


def test_only_enabled_events_are_sent(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["product.created"])
    stripe_client.v1.customers.create()
    stripe_client.v1.products.create(params={"name": "x"})
    stripe_emulator.wait_for_deliveries()
    webhook_receiver.wait_for_types("product.created")
    assert webhook_receiver.types() == ["product.created"]


def test_fault_duplicate(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["customer.created"])
    stripe_emulator.webhook_fault("duplicate")
    stripe_client.v1.customers.create()
    received = webhook_receiver.wait_for(lambda r: len(r) == 2)
    assert received[0].json()["id"] == received[1].json()["id"]


def test_fault_reorder(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["customer.created"])
    stripe_emulator.webhook_fault("reorder", count=3)
    ids = [stripe_client.v1.customers.create().id for _ in range(3)]
    webhook_receiver.wait_for(lambda r: len(r) == 3)
    assert [e["data"]["object"]["id"] for e in webhook_receiver.events()] == ids[::-1]


def test_fault_delay(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["customer.created"])
    stripe_emulator.webhook_fault("delay", delay=0.4)
    stripe_client.v1.customers.create()
    (delivery,) = stripe_emulator.wait_for_deliveries(timeout=5)
    assert delivery["attempts"][0]["at"] - delivery["created"] >= 0.35


def test_fault_wrong_secret_is_rejected_then_retried_correctly(stripe_emulator, stripe_client):
    holder: dict[str, str] = {}

    def verify(request) -> int:
        try:
            stripe.Webhook.construct_event(request.body.decode(), request.signature, holder["secret"])
        except stripe.SignatureVerificationError:
            return 400
        return 200

    with WebhookReceiver(verify) as receiver:
        holder["secret"] = _endpoint(stripe_client, receiver.url, ["customer.created"])
        stripe_emulator.webhook_fault("wrong_secret")
        stripe_client.v1.customers.create()
        (delivery,) = stripe_emulator.wait_for_deliveries(timeout=5)
    assert [a["status"] for a in delivery["attempts"]] == [400, 200]
    assert delivery["attempts"][0]["signed_with_wrong_secret"] is True


def test_fault_drop(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["customer.created"])
    stripe_emulator.webhook_fault("drop", types=["customer.created"])
    first = stripe_client.v1.customers.create()
    second = stripe_client.v1.customers.create()
    webhook_receiver.wait_for(lambda r: len(r) == 1)
    stripe_emulator.wait_for_deliveries()
    assert [e["data"]["object"]["id"] for e in webhook_receiver.events()] == [second.id]
    assert [d["status"] for d in stripe_emulator.deliveries(type="customer.created")] == [
        "dropped",
        "succeeded",
    ]
    # A dashboard resend still reaches the site.
    event = stripe_client.v1.events.list(params={"type": "customer.created"}).data[-1]
    assert event.data.object.id == first.id
    stripe_emulator.resend_event(event.id)
    webhook_receiver.wait_for(lambda r: len(r) == 2)


def test_unknown_fault_mode_is_refused(stripe_emulator):
    from caseflow_wagtail.testing import EmulatorError

    with pytest.raises(EmulatorError):
        stripe_emulator.webhook_fault("explode")


def test_payload_is_the_event_json(stripe_emulator, stripe_client, webhook_receiver):
    secret = _endpoint(stripe_client, webhook_receiver.url, ["customer.created"])
    customer = stripe_client.v1.customers.create(params={"email": "p@example.com"})
    (request,) = webhook_receiver.wait_for(lambda r: len(r) == 1)
    body = json.loads(request.body)
    assert body["object"] == "event" and body["data"]["object"]["id"] == customer.id
    assert body["api_version"] == "2026-10-28.endive" and body["livemode"] is False
    event = _verify(request, secret)
    assert event.id == stripe_client.v1.events.retrieve(body["id"]).id
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(request.body.decode(), request.signature, "whsec_other")


def test_events_of_a_paid_checkout_and_a_new_subscription_in_order(stripe_client):
    from .scenarios import event_types, monthly_price

    session = checkout_session(stripe_client)
    pay_session(session.url, "4242424242424242")
    types = event_types(stripe_client)
    assert [t for t in types if not t.startswith(("product.", "price."))] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    price = monthly_price(stripe_client)
    sub_session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "success_url": "https://firm.example/ok",
            "line_items": [{"price": price.id, "quantity": 1}],
        }
    )
    before = len(types) + 2  # the product and price just created
    pay_session(sub_session.url, "4242424242424242")
    assert event_types(stripe_client)[before:] == [
        "customer.created",
        "payment_method.attached",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice_payment.paid",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]


def test_test_mode_retries_three_times_then_gives_up(stripe_emulator, stripe_client):
    # Stripe's docs: a sandbox retries a failed delivery three times over a few hours.
    with WebhookReceiver(lambda _r: 500) as receiver:
        stripe_emulator.configure(webhook_time_scale=1 / 360000)
        _endpoint(stripe_client, receiver.url, ["customer.created"])
        stripe_client.v1.customers.create()
        (delivery,) = stripe_emulator.wait_for_deliveries(timeout=5)
    assert delivery["status"] == "failed"
    assert [a["status"] for a in delivery["attempts"]] == [500, 500, 500, 500]


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(stripe_emulator, stripe_client):
    with WebhookReceiver() as target:
        # A 302 to a POST is one urllib (and most clients) would follow as a GET.
        with WebhookReceiver(lambda _r: 302, redirect_to=target.url) as redirecting:
            stripe_emulator.configure(webhook_retry_schedule=[0.01], webhook_time_scale=1)
            _endpoint(stripe_client, redirecting.url, ["customer.created"])
            stripe_client.v1.customers.create()
            (delivery,) = stripe_emulator.wait_for_deliveries(timeout=5)
        assert delivery["status"] == "failed"
        assert [a["status"] for a in delivery["attempts"]] == [302, 302]
        assert target.events() == []


def test_nothing_is_sent_to_a_disabled_endpoint_retries_included(stripe_emulator, stripe_client):
    with WebhookReceiver(lambda _r: 500) as receiver:
        stripe_emulator.configure(webhook_retry_schedule=[0.3, 0.3], webhook_time_scale=1)
        endpoint = stripe_client.v1.webhook_endpoints.create(
            params={"url": receiver.url, "enabled_events": ["customer.created"]}
        )
        stripe_client.v1.customers.create()
        stripe_emulator.wait_for_deliveries(lambda ds: ds and len(ds[0]["attempts"]) == 1, timeout=5)
        stripe_client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
        stripe_client.v1.customers.create()
        deliveries = stripe_emulator.wait_for_deliveries(timeout=5)
    assert [(d["status"], len(d["attempts"])) for d in deliveries] == [("canceled", 1)]


def test_a_rolled_secret_signs_beside_the_new_one_until_it_expires(
    stripe_emulator, stripe_client, webhook_receiver
):
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["customer.created"]}
    )
    new_secret = stripe_emulator.roll_webhook_secret(endpoint.id, expires_in=3600)
    stripe_client.v1.customers.create()
    (overlapping,) = webhook_receiver.wait_for_types("customer.created")
    assert overlapping.signature.count("v1=") == 2
    for secret in (endpoint.secret, new_secret):
        assert _verify(overlapping, secret).type == "customer.created"

    webhook_receiver.clear()
    newest = stripe_emulator.roll_webhook_secret(endpoint.id, expires_in=0)
    stripe_client.v1.customers.create()
    (after,) = webhook_receiver.wait_for_types("customer.created")
    # The secret rolled away an hour from now still signs; the one just rolled away with no overlap does not.
    assert after.signature.count("v1=") == 2
    assert _verify(after, newest).type == "customer.created"
    assert _verify(after, endpoint.secret).type == "customer.created"
    with pytest.raises(stripe.SignatureVerificationError):
        _verify(after, new_secret)


def test_previous_attributes_only_on_updated_events(stripe_emulator, stripe_client, webhook_receiver):
    _endpoint(stripe_client, webhook_receiver.url, ["charge.refunded", "customer.updated"])
    session = checkout_session(stripe_client)
    pay_session(session.url, "4242424242424242")
    pi = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
    stripe_client.v1.refunds.create(params={"payment_intent": pi, "amount": 500})
    customer = stripe_client.v1.customers.create()
    stripe_client.v1.customers.update(customer.id, params={"name": "Renamed"})
    webhook_receiver.wait_for_types("charge.refunded", "customer.updated")
    events = {e["type"]: e for e in webhook_receiver.events()}
    assert "previous_attributes" not in events["charge.refunded"]["data"]
    assert events["customer.updated"]["data"]["previous_attributes"] == {"name": None}


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/hook",
        "http://127.0.0.1:8000/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "http://[::1]:8000/hook",
        "https://app.localhost/hook",
    ],
)
def test_stripe_strict_by_default_refuses_endpoints_stripe_could_not_reach(url):
    # Stripe accepts only publicly reachable webhook URLs, in test mode too.
    from caseflow_wagtail.testing import StripeEmulator

    with StripeEmulator() as strict:
        client = strict.stripe_client()
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.webhook_endpoints.create(params={"url": url, "enabled_events": ["*"]})
        assert refused.value.param == "url" and "publicly accessible" in refused.value.user_message
        public = client.v1.webhook_endpoints.create(
            params={"url": "https://firm.example/hook", "enabled_events": ["*"]}
        )
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.webhook_endpoints.update(public.id, params={"url": url})
        assert client.v1.webhook_endpoints.retrieve(public.id).url == "https://firm.example/hook"


def test_allow_local_webhooks_accepts_and_delivers_to_this_machine(webhook_receiver):
    from caseflow_wagtail.testing import StripeEmulator

    with StripeEmulator(allow_local_webhooks=True) as local:
        client = local.stripe_client()
        client.v1.webhook_endpoints.create(
            params={"url": webhook_receiver.url, "enabled_events": ["customer.created"]}
        )
        client.v1.customers.create()
        webhook_receiver.wait_for_types("customer.created")
        assert local.configure()["allow_local_webhooks"] is True
