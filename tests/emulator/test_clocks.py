"""Test clocks drive subscription renewals: paid invoices, failed renewals, cancellation at period end."""

from __future__ import annotations

import datetime as dt

import stripe

from .scenarios import customer_with_card, monthly_price

START = int(dt.datetime(2027, 1, 31, 9, 0, tzinfo=dt.UTC).timestamp())


def _subscribed(client: stripe.StripeClient, card: str = "pm_card_visa"):
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": START, "name": "retainer"})
    customer, _pm = customer_with_card(client, card, clock=clock.id)
    price = monthly_price(client, 50000)
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    assert sub.status == "active" and sub.start_date == START and sub.test_clock == clock.id
    return clock, customer, sub


def _invoice_paid_events(client: stripe.StripeClient) -> list[stripe.Event]:
    return client.v1.events.list(params={"type": "invoice.paid", "limit": 100}).data


def test_three_months_make_three_paid_renewal_invoices(stripe_emulator, stripe_client, webhook_receiver):
    stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["invoice.paid"]}
    )
    clock, _customer, sub = _subscribed(stripe_client)
    assert len(_invoice_paid_events(stripe_client)) == 1  # the first invoice, at sign-up
    # Jan 31 + 3 months: renewals on Feb 28, Mar 31 and Apr 30 (Stripe keeps the anchor day).
    target = int(dt.datetime(2027, 4, 30, 12, 0, tzinfo=dt.UTC).timestamp())
    advanced = stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": target})
    assert advanced.status == "ready" and advanced.frozen_time == target

    renewals = stripe_client.v1.invoices.list(params={"subscription": sub.id, "limit": 100}).data
    cycles = [i for i in renewals if i.billing_reason == "subscription_cycle"]
    assert len(cycles) == 3
    assert all(i.status == "paid" and i.amount_paid == 50000 for i in cycles)
    period_days = sorted(
        dt.datetime.fromtimestamp(i.lines.data[0].period.start, dt.UTC).date().isoformat() for i in cycles
    )
    assert period_days == ["2027-02-28", "2027-03-31", "2027-04-30"]
    paid_events = _invoice_paid_events(stripe_client)
    assert len(paid_events) == 4
    assert {e.data.object.id for e in paid_events[:3]} == {i.id for i in cycles}
    webhook_receiver.wait_for(lambda r: len(r) == 4)
    current = stripe_client.v1.subscriptions.retrieve(sub.id)
    assert current.status == "active"
    item = current["items"].data[0]
    assert dt.datetime.fromtimestamp(item.current_period_end, dt.UTC).date().isoformat() == "2027-05-31"


def test_renewal_with_0341_fails_and_subscription_goes_past_due(stripe_emulator, stripe_client):
    clock, customer, sub = _subscribed(stripe_client)
    failing = stripe_client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    stripe_client.v1.subscriptions.update(sub.id, params={"default_payment_method": failing.id})
    # Jan 31 → the renewal on Feb 28 fails; Mar 2 is before the first retry (3 days later).
    stripe_emulator.advance_clock(clock.id, seconds=30 * 86400)

    current = stripe_client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert current.status == "past_due"
    invoice = current.latest_invoice
    assert invoice.status == "open" and invoice.attempt_count == 1 and invoice.amount_remaining == 50000
    assert invoice.next_payment_attempt is not None
    failed = stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data
    assert [e.data.object.id for e in failed] == [invoice.id]
    updates = stripe_client.v1.events.list(params={"type": "customer.subscription.updated"}).data
    assert updates[0].data.object.status == "past_due"
    assert updates[0].data.previous_attributes.status == "active"
    # The client pays the open invoice with a new card: the subscription is active again.
    stripe_client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_3ds_card_renewal_needs_action(stripe_client):
    clock, customer, sub = _subscribed(stripe_client)
    always = stripe_client.v1.payment_methods.attach(
        "pm_card_authenticationRequired", params={"customer": customer.id}
    )
    stripe_client.v1.subscriptions.update(sub.id, params={"default_payment_method": always.id})
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START + 31 * 86400})
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    assert stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data


def test_cancel_at_period_end_ends_at_the_renewal(stripe_client):
    clock, _customer, sub = _subscribed(stripe_client)
    stripe_client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START + 40 * 86400})
    ended = stripe_client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    assert ended.ended_at == sub["items"].data[0].current_period_end
    deleted = stripe_client.v1.events.list(params={"type": "customer.subscription.deleted"}).data
    assert [e.data.object.id for e in deleted] == [sub.id]
    assert len(stripe_client.v1.invoices.list(params={"subscription": sub.id}).data) == 1


def test_clock_cannot_go_back_and_can_be_deleted(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create(params={"frozen_time": START})
    try:
        stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START - 1})
    except stripe.InvalidRequestError as exc:
        assert exc.param == "frozen_time"
    else:
        raise AssertionError("advancing backwards must fail")
    assert [c.id for c in stripe_client.v1.test_helpers.test_clocks.list().data] == [clock.id]
    assert stripe_client.v1.test_helpers.test_clocks.delete(clock.id).deleted is True


def test_failed_renewal_is_retried_then_the_subscription_is_canceled(stripe_client):
    clock, customer, sub = _subscribed(stripe_client)
    failing = stripe_client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    stripe_client.v1.subscriptions.update(sub.id, params={"default_payment_method": failing.id})
    # Renewal on Feb 28, retries 3, 5 and 7 days apart: Mar 3, Mar 8, Mar 15.
    march_20 = int(dt.datetime(2027, 3, 20, tzinfo=dt.UTC).timestamp())
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": march_20})
    ended = stripe_client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert ended.status == "canceled" and ended.cancellation_details.reason == "payment_failed"
    assert ended.latest_invoice.attempt_count == 4 and ended.latest_invoice.next_payment_attempt is None
    failures = stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data
    assert len(failures) == 4
    intents = stripe_client.v1.payment_intents.list(params={"customer": customer.id, "limit": 10}).data
    days = sorted(dt.datetime.fromtimestamp(pi.created, dt.UTC).date().isoformat() for pi in intents)
    assert days == ["2027-01-31", "2027-02-28", "2027-03-03", "2027-03-08", "2027-03-15"]
    deleted = stripe_client.v1.events.list(params={"type": "customer.subscription.deleted"}).data
    assert [e.data.object.id for e in deleted] == [sub.id]


def test_trial_then_first_charge_when_it_ends(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create(params={"frozen_time": START})
    customer, _ = customer_with_card(stripe_client, clock=clock.id)
    price = monthly_price(stripe_client, 50000)
    sub = stripe_client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}], "trial_period_days": 14}
    )
    assert sub.status == "trialing" and sub.trial_end == START + 14 * 86400
    first = stripe_client.v1.invoices.retrieve(sub.latest_invoice)
    assert first.amount_due == 0 and first.status == "paid"
    assert stripe_client.v1.charges.list().data == []
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START + 12 * 86400})
    (warning,) = stripe_client.v1.events.list(params={"type": "customer.subscription.trial_will_end"}).data
    assert warning.data.object.id == sub.id
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "trialing"
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START + 15 * 86400})
    assert (
        len(stripe_client.v1.events.list(params={"type": "customer.subscription.trial_will_end"}).data) == 1
    )
    active = stripe_client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert active.status == "active" and active.latest_invoice.amount_paid == 50000
    assert active["items"].data[0].current_period_start == sub.trial_end


def test_checkout_trial_with_0341_fails_when_the_trial_ends(stripe_client):
    from .scenarios import http, pay_session

    clock = stripe_client.v1.test_helpers.test_clocks.create(params={"frozen_time": START})
    customer = stripe_client.v1.customers.create(params={"email": "c@example.com", "test_clock": clock.id})
    price = monthly_price(stripe_client, 30000)
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer.id,
            "success_url": "https://firm.example/ok",
            "line_items": [{"price": price.id, "quantity": 1}],
            "subscription_data": {"trial_period_days": 7},
        }
    )
    assert session.amount_total == 0
    assert "7-day free trial" in http("GET", session.url)[2]
    # The card that attaches but cannot be charged is accepted: nothing is charged today.
    status, _, _ = pay_session(session.url, "4000000000000341")
    assert status == 303
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["subscription"]})
    assert done.payment_status == "no_payment_required" and done.subscription.status == "trialing"
    stripe_client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": START + 8 * 86400})
    sub = stripe_client.v1.subscriptions.retrieve(done.subscription.id, params={"expand": ["latest_invoice"]})
    assert sub.status == "past_due" and sub.latest_invoice.status == "open"
    failed = stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data
    assert [e.data.object.id for e in failed] == [sub.latest_invoice.id]
