"""Events are rendered at the API version they were created with (the account's default), not at the
request's Stripe-Version; webhook endpoints get their own version's rendering."""

from __future__ import annotations

import datetime as dt

import pytest
import stripe

from caseflow_wagtail.testing.stripe_emulator._core import API_VERSION

from .scenarios import customer_with_card, monthly_price

START = int(dt.datetime(2027, 1, 31, 9, 0, tzinfo=dt.UTC).timestamp())
OLD = "2024-06-20"


def _subscribe(client: stripe.StripeClient):
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": START})
    customer, _pm = customer_with_card(client, "pm_card_visa", clock=clock.id)
    price = monthly_price(client, 50000)
    return client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})


def test_listed_events_carry_the_account_default_version_shape(
    stripe_emulator, stripe_client, webhook_receiver
):
    # An endpoint pinned at the current version, one following the account default.
    stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["invoice.paid"], "api_version": API_VERSION}
    )
    stripe_emulator.configure(account_api_version=OLD)
    sub = _subscribe(stripe_client)

    [event] = stripe_client.v1.events.list(params={"type": "invoice.paid"}).data
    assert event.api_version == OLD
    invoice = event.data.object
    # 2024-06-20: top-level subscription, payment_intent, charge, paid; no parent or payments.
    assert invoice["subscription"] == sub.id
    assert invoice["paid"] is True
    assert invoice["payment_intent"].startswith("pi_") and invoice["charge"].startswith("ch_")
    assert "parent" not in invoice and "payments" not in invoice
    again = stripe_client.v1.events.retrieve(event.id)
    assert again.data.object["payment_intent"] == invoice["payment_intent"]

    [sub_event] = stripe_client.v1.events.list(params={"type": "customer.subscription.created"}).data
    old_sub = sub_event.data.object
    assert old_sub["current_period_start"] == START
    assert "current_period_start" not in old_sub["items"].data[0]

    # The object itself, asked for at the pinned version, has the pinned shape.
    current = stripe_client.v1.invoices.retrieve(invoice.id)
    assert current.parent.subscription_details.subscription == sub.id
    assert "payment_intent" not in current and "paid" not in current

    # The webhook endpoint with its own api_version gets the pinned shape.
    [delivered] = webhook_receiver.wait_for(lambda r: len(r) == 1)
    body = delivered.json()
    assert body["api_version"] == API_VERSION
    assert "paid" not in body["data"]["object"] and body["data"]["object"]["parent"]["subscription_details"]


def test_only_known_versions_are_accepted(stripe_emulator):
    with pytest.raises(Exception, match="Unsupported account API version"):
        stripe_emulator.configure(account_api_version="2019-01-01")
