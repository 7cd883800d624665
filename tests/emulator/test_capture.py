"""Asynchronous capture, Stripe's default at 2026-10-28: the balance transaction comes after the charge.

Stripe: "The balance_transaction field on the Charge object might be null immediately after
confirmation … listen for the charge.updated event" (docs: payments/payment-intents/asynchronous-capture;
changelog 2024-04-10 "automatic_async is the default capture method").
"""

from __future__ import annotations

import time

import pytest
import stripe

from caseflow_wagtail.testing.stripe_emulator import EmulatorError

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


def _settled_balance(stripe_emulator, stripe_client, amount: int, currency: str, **params):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "payment_method": "pm_card_visa",
            "confirm": True,
            **params,
        }
    )
    stripe_emulator.settle(payment_intent=pi.id)
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, params={"expand": ["balance_transaction"]})
    return charge.balance_transaction


def test_by_default_a_charge_settles_in_its_own_currency_with_no_exchange_rate(
    stripe_emulator, stripe_client
):
    txn = _settled_balance(stripe_emulator, stripe_client, 500000, "jpy")
    assert (txn.amount, txn.currency, txn.exchange_rate) == (500000, "jpy", None)
    assert (txn.fee, txn.net) == (14530, 500000 - 14530)


@pytest.mark.parametrize("capture_method", ["automatic_async", "automatic"])
def test_an_account_settling_in_usd_converts_a_yen_charge_as_stripe_does(
    stripe_emulator, stripe_client, capture_method
):
    # Stripe: "the amount in currency A, times exchange_rate, would be the amount in currency B".
    config = stripe_emulator.configure(settlement_currency="usd", exchange_rates={"jpy": "0.0067"})
    assert (config["settlement_currency"], config["exchange_rates"]) == ("usd", {"jpy": "0.0067"})

    txn = _settled_balance(stripe_emulator, stripe_client, 5000, "jpy", capture_method=capture_method)

    assert (txn.amount, txn.currency) == (3350, "usd")  # ¥5,000 * 0.0067 = $33.50
    assert txn.exchange_rate == 0.0067
    assert (txn.fee, txn.net) == (127, 3350 - 127)  # 2.9% + 30 cents of $33.50, in dollars
    assert txn.fee_details[0].currency == "usd"
    # The JSON carries a number, as Stripe's does, not a string.
    raw = stripe_client.v1.balance_transactions.retrieve(txn.id).last_response.body
    assert '"exchange_rate": 0.0067' in raw


def test_the_converted_amount_is_rounded_half_up_to_the_settlement_currencys_minor_unit(
    stripe_emulator, stripe_client
):
    stripe_emulator.configure(settlement_currency="usd", exchange_rates={"jpy": "0.0067", "eur": "1.2345678"})
    assert _settled_balance(stripe_emulator, stripe_client, 75, "jpy").amount == 50  # 0.5025 → $0.50
    assert _settled_balance(stripe_emulator, stripe_client, 1234, "eur").amount == 1523  # 15.234567 → 15.23
    assert _settled_balance(stripe_emulator, stripe_client, 1235, "eur").amount == 1525  # 15.246912… → 15.25
    # A charge already in the settlement currency, or with no rate, is not converted.
    usd = _settled_balance(stripe_emulator, stripe_client, 1000, "usd")
    gbp = _settled_balance(stripe_emulator, stripe_client, 1000, "gbp")
    assert (usd.currency, usd.exchange_rate, gbp.currency, gbp.exchange_rate) == ("usd", None, "gbp", None)


def test_settlement_settings_are_checked_and_reset(stripe_emulator, stripe_client):
    for bad in (
        {"settlement_currency": "dollars"},
        {"exchange_rates": {"jpy": "-1"}},
        {"exchange_rates": "0.5"},
    ):
        with pytest.raises(EmulatorError):
            stripe_emulator.configure(**bad)
    stripe_emulator.configure(settlement_currency="usd", exchange_rates={"jpy": "0.0067"})
    stripe_emulator.reset()
    assert stripe_emulator.configure()["settlement_currency"] is None
    assert _settled_balance(stripe_emulator, stripe_client, 5000, "jpy").currency == "jpy"
