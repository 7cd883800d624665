"""Asynchronous capture, Stripe's default at 2026-10-28: the balance transaction comes after the charge.

Stripe: "The balance_transaction field on the Charge object might be null immediately after
confirmation … listen for the charge.updated event" (docs: payments/payment-intents/asynchronous-capture;
changelog 2024-04-10 "automatic_async is the default capture method").
"""

from __future__ import annotations

import time

import pytest
import stripe

from .scenarios import checkout_session, pay_session


def _events(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type}).data)


def test_default_capture_is_async_and_charge_updated_brings_the_balance_transaction(
    stripe_emulator, stripe_client
):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 100000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "expand": ["latest_charge.balance_transaction"],
        }
    )
    assert pi.capture_method == "automatic_async"
    assert pi.status == "succeeded" and pi.latest_charge.balance_transaction is None
    succeeded = _events(stripe_client, "charge.succeeded")[0]
    assert succeeded.data.object.balance_transaction is None
    assert "previous_attributes" not in succeeded.data
    assert _events(stripe_client, "charge.updated") == []

    settled = stripe_emulator.settle(payment_intent=pi.id)

    assert [ch["id"] for ch in settled] == [pi.latest_charge.id]
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge.id)
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.fee, txn.net, txn.source) == (2930, 100000 - 2930, charge.id)
    (updated,) = _events(stripe_client, "charge.updated")
    assert updated.data.object.balance_transaction == txn.id  # an id: events are never expanded
    assert updated.data.previous_attributes.to_dict() == {"balance_transaction": None}
    assert stripe_emulator.settle() == []  # nothing left pending: settling twice sends nothing more


def test_checkout_payment_intents_are_async_too(stripe_emulator, stripe_client):
    session = checkout_session(stripe_client, amount=12500)
    status, _location, _text = pay_session(session.url, "4242424242424242")
    assert status == 303
    found = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert found.payment_intent.capture_method == "automatic_async"
    assert found.payment_intent.latest_charge.balance_transaction is None
    completed = _events(stripe_client, "checkout.session.completed")[0]
    assert "previous_attributes" not in completed.data

    stripe_emulator.settle()

    found = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert found.payment_intent.latest_charge.balance_transaction.fee == 393  # 2.9% + 30 of 125.00


@pytest.mark.parametrize("where", ["request", "checkout"])
def test_capture_method_automatic_is_synchronous(stripe_emulator, stripe_client, where):
    if where == "request":
        pi = stripe_client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "payment_method": "pm_card_visa",
                "confirm": True,
                "capture_method": "automatic",
            }
        )
    else:
        session = checkout_session(
            stripe_client,
            amount=1000,
            payment_intent_data={"description": "Invoice INV-0042", "capture_method": "automatic"},
        )
        pay_session(session.url, "4242424242424242")
        pi = stripe_client.v1.payment_intents.retrieve(
            stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
        )
    assert pi.capture_method == "automatic"
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert charge.balance_transaction is not None
    assert _events(stripe_client, "charge.updated") == []


def test_sync_capture_mode_switch(stripe_emulator, stripe_client):
    stripe_emulator.configure(capture_mode="sync")
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    assert pi.capture_method == "automatic"
    assert stripe_client.v1.charges.retrieve(pi.latest_charge).balance_transaction is not None
    stripe_emulator.reset()  # back to the mode the emulator started in
    assert stripe_emulator.configure()["capture_mode"] == "async"


def test_manual_capture_is_refused_plainly(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "usd", "capture_method": "manual"}
        )
    assert caught.value.param == "capture_method"


def test_settle_delay_settles_in_the_background(stripe_emulator, stripe_client):
    stripe_emulator.configure(settle_delay=0)
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    deadline = time.monotonic() + 10
    while not _events(stripe_client, "charge.updated"):
        assert time.monotonic() < deadline, "the background sweeper never settled the charge"
        time.sleep(0.05)
    assert stripe_client.v1.charges.retrieve(pi.latest_charge).balance_transaction.startswith("txn_")


def test_previous_attributes_only_on_updated_events(stripe_emulator, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "automatic",
        }
    )
    stripe_client.v1.refunds.create(params={"payment_intent": pi.id})
    for event in stripe_client.v1.events.list(params={"limit": 100}).data:
        assert ("previous_attributes" in event.data) == event.type.endswith(".updated"), event.type
