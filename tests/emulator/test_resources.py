"""Every resource through the unmodified stripe 16 client."""

from __future__ import annotations

import time

import pytest
import stripe

from caseflow_wagtail.testing.stripe_emulator._objects import fee_for

from .scenarios import checkout_session, customer_with_card, monthly_price, pay_session


def test_customers_crud(stripe_client):
    c = stripe_client.v1.customers.create(
        params={"email": "jo@example.com", "name": "Jo", "metadata": {"a": "1"}}
    )
    assert c.id.startswith("cus_") and c.object == "customer" and c.livemode is False
    updated = stripe_client.v1.customers.update(
        c.id, params={"name": "Jo Client", "metadata": {"a": "", "b": "2"}}
    )
    assert updated.name == "Jo Client" and updated.metadata.to_dict() == {"b": "2"}
    assert stripe_client.v1.customers.list(params={"email": "jo@example.com"}).data[0].id == c.id
    deleted = stripe_client.v1.customers.delete(c.id)
    assert deleted.deleted is True
    assert stripe_client.v1.customers.retrieve(c.id).deleted is True


def test_products_and_prices(stripe_client):
    product = stripe_client.v1.products.create(params={"name": "Retainer", "description": "Monthly"})
    one_off = stripe_client.v1.prices.create(
        params={"product": product.id, "unit_amount": 2500, "currency": "gbp"}
    )
    assert (
        one_off.type == "one_time"
        and one_off.recurring is None
        and str(one_off.unit_amount_decimal) == "2500"
    )
    monthly = stripe_client.v1.prices.create(
        params={
            "product_data": {"name": "Advice line"},
            "unit_amount": 9900,
            "currency": "usd",
            "recurring": {"interval": "month", "interval_count": 1},
        }
    )
    assert monthly.type == "recurring" and monthly.recurring.interval == "month"
    assert stripe_client.v1.products.retrieve(monthly.product).name == "Advice line"
    assert [p.id for p in stripe_client.v1.prices.list(params={"product": product.id}).data] == [one_off.id]
    assert stripe_client.v1.prices.update(one_off.id, params={"active": False}).active is False
    renamed = stripe_client.v1.products.update(product.id, params={"name": "Retainer (2026)"})
    assert renamed.name == "Retainer (2026)"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.products.delete(product.id)
    spare = stripe_client.v1.products.create(params={"name": "Spare"})
    assert stripe_client.v1.products.delete(spare.id).deleted is True


def test_payment_methods_attach_detach(stripe_client):
    customer = stripe_client.v1.customers.create()
    pm = stripe_client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    assert pm.card.last4 == "4242" and pm.card.brand == "visa" and pm.customer is None
    attached = stripe_client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    assert attached.customer == customer.id
    listed = stripe_client.v1.customers.payment_methods.list(customer.id)
    assert [p.id for p in listed.data] == [pm.id]
    assert stripe_client.v1.payment_methods.detach(pm.id).customer is None
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4242424242424241", "exp_month": 12, "exp_year": 2034}}
        )
    assert caught.value.code == "incorrect_number"
    # 0341 attaches fine; only its charges fail.
    stripe_client.v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer.id})


@pytest.mark.parametrize(
    ("pm", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
        ("pm_card_chargeCustomerFail", "card_declined", "generic_decline"),
    ],
)
def test_declines_raise_card_error(stripe_client, pm, code, decline_code):
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_intents.create(
            params={"amount": 5000, "currency": "usd", "payment_method": pm, "confirm": True}
        )
    error = caught.value
    assert error.http_status == 402
    assert error.code == code
    assert error.error.decline_code == decline_code
    assert error.error.payment_intent.status == "requires_payment_method"
    charge = stripe_client.v1.charges.retrieve(error.error.charge)
    assert charge.status == "failed" and charge.failure_code == code and charge.outcome.reason == decline_code


def test_payment_intent_lifecycle_with_fee_and_net(stripe_emulator, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 123456, "currency": "usd", "description": "Invoice 9", "metadata": {"invoice": "9"}}
    )
    assert pi.status == "requires_payment_method" and pi.client_secret.startswith(pi.id + "_secret_")
    pi = stripe_client.v1.payment_intents.update(pi.id, params={"amount": 100000})
    pi = stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "succeeded" and pi.amount_received == 100000
    stripe_emulator.settle(payment_intent=pi.id)  # asynchronous capture: the fee comes afterwards
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert (
        charge.paid
        and charge.captured
        and charge.payment_intent == pi.id
        and charge.metadata["invoice"] == "9"
    )
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert txn.fee == 2930 and txn.net == 100000 - 2930 and txn.source == charge.id and txn.type == "charge"
    assert stripe_client.v1.balance_transactions.list(params={"source": charge.id}).data[0].id == txn.id
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.cancel(pi.id)
    assert caught.value.code == "payment_intent_unexpected_state"
    other = stripe_client.v1.payment_intents.create(params={"amount": 5000, "currency": "usd"})
    assert stripe_client.v1.payment_intents.cancel(other.id).status == "canceled"


@pytest.mark.parametrize(
    ("amount", "fee"), [(100, 33), (1000, 59), (1017, 59), (1018, 60), (1034, 60), (1035, 60), (12345, 388)]
)
def test_fee_is_2_9_percent_plus_30_rounded_half_up(amount, fee):
    assert fee_for(amount) == fee


def test_three_d_secure_through_the_api(stripe_emulator, stripe_client):
    from .scenarios import complete_3ds

    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 5000,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
            "return_url": "https://firm.example/back",
        }
    )
    assert pi.status == "requires_action" and pi.next_action.type == "redirect_to_url"
    status, location = complete_3ds(pi.next_action.redirect_to_url.url)
    assert status == 303 and location.startswith("https://firm.example/back?payment_intent=" + pi.id)
    assert "redirect_status=succeeded" in location
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_refunds_full_and_partial(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 10000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    part = stripe_client.v1.refunds.create(
        params={"payment_intent": pi.id, "amount": 2500, "reason": "duplicate"}
    )
    assert part.status == "succeeded" and part.amount == 2500 and part.charge == pi.latest_charge
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert charge.amount_refunded == 2500 and charge.refunded is False
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 9000})
    assert caught.value.param == "amount"
    rest = stripe_client.v1.refunds.create(params={"charge": charge.id})
    assert rest.amount == 7500
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert charge.refunded is True and charge.amount_refunded == 10000
    txn = stripe_client.v1.balance_transactions.retrieve(rest.balance_transaction)
    assert txn.amount == -7500 and txn.type == "refund"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"charge": charge.id})
    assert caught.value.code == "charge_already_refunded"
    assert {r.id for r in stripe_client.v1.refunds.list(params={"charge": charge.id}).data} == {
        part.id,
        rest.id,
    }


def test_a_charge_carries_its_refunds_only_when_expanded(stripe_client):
    # Stripe (changelog 2022-11-15): Charge.refunds is not included unless expanded; events never are.
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 6000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    first = stripe_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000})
    second = stripe_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 2000})
    plain = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert "refunds" not in plain and plain.amount_refunded == 3000
    expanded = stripe_client.v1.charges.retrieve(pi.latest_charge, params={"expand": ["refunds"]})
    assert [r.id for r in expanded.refunds.data] == [second.id, first.id]
    assert expanded.refunds.url == f"/v1/charges/{pi.latest_charge}/refunds"
    events = stripe_client.v1.events.list(params={"type": "charge.refunded"}).data
    assert events and all("refunds" not in event.data.object for event in events)
    listed = stripe_client.v1.refunds.list(params={"charge": pi.latest_charge}).data
    assert [r.id for r in listed] == [second.id, first.id]


def test_dashboard_refund_through_control_api(stripe_emulator, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 4000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    refund = stripe_emulator.refund(payment_intent=pi.id, amount=1000)
    assert refund["amount"] == 1000
    events = stripe_client.v1.events.list(params={"type": "charge.refunded"}).data
    assert events[0].data.object.amount_refunded == 1000
    assert events[0].request.id is None  # done in the dashboard, not through the API


def test_checkout_session_create_retrieve_expire(stripe_client):
    session = checkout_session(stripe_client, amount=12500, customer_email="client@example.com")
    assert session.status == "open" and session.payment_status == "unpaid" and session.mode == "payment"
    assert session.amount_total == 12500 and session.currency == "usd"
    assert session.url.endswith(f"/checkout/{session.id}")
    assert session.expires_at - session.created == 24 * 3600
    assert session.metadata["invoice"] == "42" and session.client_reference_id == "inv-42"
    items = stripe_client.v1.checkout.sessions.line_items.list(session.id)
    assert items.data[0].description == "Invoice INV-0042" and items.data[0].amount_total == 12500
    expanded = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})
    assert expanded.line_items.data[0].price.unit_amount == 12500
    expired = stripe_client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired" and expired.url is None
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout_session(stripe_client, expires_at=int(time.time()) + 60)
    assert caught.value.param == "expires_at"
    listed = stripe_client.v1.checkout.sessions.list(params={"status": "expired"})
    assert [s.id for s in listed.data] == [session.id]


def test_checkout_session_zero_decimal_currency(stripe_client):
    session = checkout_session(stripe_client, amount=15000, currency="jpy")
    assert session.amount_total == 15000 and session.currency == "jpy"


def test_setup_mode_saves_a_card(stripe_client):
    customer = stripe_client.v1.customers.create(params={"email": "s@example.com"})
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "customer": customer.id,
            "success_url": "https://firm.example/ok",
        }
    )
    assert session.payment_status == "no_payment_required"
    status, location, _ = pay_session(session.url, "4242424242424242")
    assert status == 303 and location == "https://firm.example/ok"
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})
    assert done.status == "complete" and done.setup_intent.status == "succeeded"
    assert stripe_client.v1.payment_methods.retrieve(done.setup_intent.payment_method).customer == customer.id


def test_subscription_lifecycle(stripe_client):
    price = monthly_price(stripe_client, 50000)
    customer, _pm = customer_with_card(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "metadata": {"matter": "M-1"},
            "expand": ["latest_invoice"],
        }
    )
    assert sub.status == "active"
    invoice = sub.latest_invoice
    assert (
        invoice.status == "paid"
        and invoice.amount_paid == 50000
        and invoice.billing_reason == "subscription_create"
    )
    assert invoice.parent.type == "subscription_details"
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata["matter"] == "M-1"
    payments = stripe_client.v1.invoice_payments.list(params={"invoice": invoice.id})
    assert payments.data[0].status == "paid" and payments.data[0].payment.type == "payment_intent"
    assert (
        stripe_client.v1.payment_intents.retrieve(payments.data[0].payment.payment_intent).status
        == "succeeded"
    )
    item = sub["items"].data[0]
    assert item.current_period_end > item.current_period_start
    sub = stripe_client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert sub.cancel_at_period_end is True and sub.cancel_at == item.current_period_end
    sub = stripe_client.v1.subscriptions.cancel(sub.id)
    assert sub.status == "canceled" and sub.ended_at
    assert stripe_client.v1.subscriptions.list(params={"customer": customer.id}).data == []
    assert len(stripe_client.v1.subscriptions.list(params={"status": "all"}).data) == 1
    lines = (
        stripe_client.v1.invoices.line_items.list(invoice.id)
        if hasattr(stripe_client.v1.invoices, "line_items")
        else stripe_client.v1.invoices.retrieve(invoice.id).lines
    )
    assert lines.data[0].amount == 50000


def test_subscription_with_declining_card_is_incomplete(stripe_client):
    price = monthly_price(stripe_client)
    customer = stripe_client.v1.customers.create()
    stripe_client.v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer.id})
    pm = stripe_client.v1.customers.payment_methods.list(customer.id).data[0]
    sub = stripe_client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}], "default_payment_method": pm.id}
    )
    assert sub.status == "incomplete"
    assert stripe_client.v1.invoices.retrieve(sub.latest_invoice).status == "open"
    with pytest.raises(stripe.CardError):
        stripe_client.v1.subscriptions.create(
            params={
                "customer": customer.id,
                "items": [{"price": price.id}],
                "default_payment_method": pm.id,
                "payment_behavior": "error_if_incomplete",
            }
        )
    paid = stripe_client.v1.invoices.pay(sub.latest_invoice, params={"payment_method": "pm_card_visa"})
    assert paid.status == "paid"
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_a_portal_session_needs_a_configuration_until_the_portal_settings_are_saved(
    stripe_emulator, stripe_client
):
    # Stripe refuses a portal session without ``configuration`` on an account whose portal settings
    # were never saved in the Dashboard.
    customer = stripe_client.v1.customers.create()
    params = {
        "customer": customer.id,
        "return_url": "https://firm.example/account",
        "flow_data": {"type": "payment_method_update"},
    }
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.billing_portal.sessions.create(params=params)
    assert "until you save your customer portal settings" in refused.value.user_message
    assert stripe_client.v1.billing_portal.configurations.list().data == []

    default = stripe_emulator.save_portal_settings()
    portal = stripe_client.v1.billing_portal.sessions.create(params=params)
    assert portal.url.endswith(f"/billing_portal/{portal.id}") and portal.flow.type == "payment_method_update"
    assert portal.configuration == default["id"]


def test_portal_configurations_create_retrieve_update_list(stripe_client):
    created = stripe_client.v1.billing_portal.configurations.create(
        params={
            "business_profile": {"headline": "Update the card for your retainer"},
            "features": {"payment_method_update": {"enabled": True}},
            "metadata": {"caseflow": "1"},
        }
    )
    assert created.id.startswith("bpc_") and created.is_default is False and created.active is True
    assert created.features.payment_method_update.enabled is True
    assert created.features.subscription_cancel.enabled is False
    assert created.features.invoice_history.enabled is False
    assert created.business_profile.headline == "Update the card for your retainer"
    fetched = stripe_client.v1.billing_portal.configurations.retrieve(created.id)
    assert fetched.id == created.id and fetched.metadata.to_dict() == {"caseflow": "1"}
    updated = stripe_client.v1.billing_portal.configurations.update(
        created.id, params={"business_profile": {"headline": "New headline"}, "active": False}
    )
    assert updated.business_profile.headline == "New headline" and updated.active is False
    listed = stripe_client.v1.billing_portal.configurations.list(params={"active": False}).data
    assert [c.id for c in listed] == [created.id]
    customer = stripe_client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.billing_portal.sessions.create(
            params={"customer": customer.id, "configuration": created.id}
        )
    assert refused.value.param == "configuration"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.billing_portal.configurations.retrieve("bpc_gone")
    assert missing.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.billing_portal.configurations.create(
            params={"features": {"payment_method_update": {"enabled": True}}, "colour": "red"}
        )
    assert unknown.value.param == "colour"
    stripe_client.v1.billing_portal.configurations.update(created.id, params={"active": True})
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": created.id,
            "flow_data": {"type": "payment_method_update"},
        }
    )
    assert portal.configuration == created.id


def test_webhook_endpoints_crud(stripe_client):
    created = stripe_client.v1.webhook_endpoints.create(
        params={
            "url": "https://firm.example/webhooks/stripe",
            "enabled_events": ["checkout.session.completed"],
            "description": "caseflow",
        }
    )
    assert created.secret.startswith("whsec_") and created.status == "enabled"
    fetched = stripe_client.v1.webhook_endpoints.retrieve(created.id)
    assert "secret" not in fetched
    updated = stripe_client.v1.webhook_endpoints.update(
        created.id, params={"enabled_events": ["*"], "disabled": True}
    )
    assert updated.enabled_events == ["*"] and updated.status == "disabled"
    assert [e.id for e in stripe_client.v1.webhook_endpoints.list().data] == [created.id]
    assert stripe_client.v1.webhook_endpoints.delete(created.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.create(params={"url": "not a url", "enabled_events": ["*"]})
    assert caught.value.param == "url"


def test_events_retrieve_and_filter(stripe_client):
    start = int(time.time())
    stripe_client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    events = stripe_client.v1.events.list(params={"limit": 100})
    assert [e.type for e in reversed(events.data)] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    one = stripe_client.v1.events.retrieve(events.data[0].id)
    assert one.data.object.object == "payment_intent" and one.request.id.startswith("req_")
    assert [e.type for e in stripe_client.v1.events.list(params={"type": "charge.succeeded"}).data] == [
        "charge.succeeded"
    ]
    assert len(stripe_client.v1.events.list(params={"type": "payment_intent.*"}).data) == 2
    assert (
        len(
            stripe_client.v1.events.list(
                params={"types": ["charge.succeeded", "payment_intent.created"]}
            ).data
        )
        == 2
    )
    assert len(stripe_client.v1.events.list(params={"created": {"gte": start}}).data) == 3
    assert stripe_client.v1.events.list(params={"created": {"gt": start + 3600}}).data == []
    # No endpoints, so nothing is pending.
    assert len(stripe_client.v1.events.list(params={"delivery_success": True}).data) == 3


def test_search(stripe_client):
    firm = [
        stripe_client.v1.customers.create(
            params={"email": f"c{i}@firm.example", "metadata": {"client": str(i)}}
        )
        for i in range(5)
    ]
    stripe_client.v1.customers.create(params={"email": "other@elsewhere.example"})
    found = stripe_client.v1.customers.search(params={"query": "metadata['client']:'3'"})
    assert [c.id for c in found.data] == [firm[3].id]
    page = stripe_client.v1.customers.search(params={"query": "email~'firm.example'", "limit": 2})
    assert len(page.data) == 2 and page.has_more and page.next_page
    assert [c.id for c in page.auto_paging_iter()] == [c.id for c in reversed(firm)]
    either = stripe_client.v1.customers.search(
        params={"query": "email:'c0@firm.example' OR email:'other@elsewhere.example'"}
    )
    assert len(either.data) == 2
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 5000, "currency": "usd", "metadata": {"invoice": "INV-9"}}
    )
    hits = stripe_client.v1.payment_intents.search(
        params={"query": "metadata['invoice']:'INV-9' AND amount>=5000"}
    )
    assert [p.id for p in hits.data] == [pi.id]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.search(params={"query": "email:'a' AND name:'b' OR phone:'c'"})
    assert caught.value.param == "query"
