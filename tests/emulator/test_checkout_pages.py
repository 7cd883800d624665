"""The hosted Checkout and portal pages over plain HTTP (the browser tests drive the same forms)."""

from __future__ import annotations

import pytest

from .scenarios import checkout_session, complete_3ds, customer_with_card, http, monthly_price, pay_session


def test_page_shows_merchant_lines_amount_and_card_fields(stripe_emulator, stripe_client):
    stripe_emulator.configure(merchant_name="Harbour & Finch LLP")
    session = checkout_session(stripe_client, amount=123456)
    status, headers, page = http("GET", session.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Harbour &amp; Finch LLP" in page
    assert "Invoice INV-0042" in page and "$1,234.56" in page
    for field in ('name="cardnumber"', 'name="exp"', 'name="cvc"'):
        assert field in page
    assert "<script" not in page and "https://" not in page.split("</head>")[0]


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [("jpy", 15000, "¥15,000"), ("kwd", 12340, "12.340 KWD"), ("eur", 100, "€1.00")],
)
def test_amounts_are_formatted_by_currency_exponent(stripe_client, currency, amount, shown):
    session = checkout_session(stripe_client, amount=amount, currency=currency)
    assert shown in http("GET", session.url)[2]


def test_success_redirects_with_session_id(stripe_client):
    session = checkout_session(stripe_client)
    status, location, _ = pay_session(session.url, "4242 4242 4242 4242")
    assert status == 303
    assert location == f"https://firm.example/paid?session={session.id}"
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert done.status == "complete" and done.payment_status == "paid"
    assert done.payment_intent.status == "succeeded" and done.payment_intent.description == "Invoice INV-0042"
    assert done.payment_intent.metadata["invoice"] == "42"
    assert done.customer_details.email == "client@example.com"
    assert "already complete" in http("GET", session.url)[2]


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("4000000000000002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
        ("4000000000000069", "Your card has expired."),
        ("4000000000000127", "Your card&#x27;s security code is incorrect."),
        ("4242424242424241", "Your card number is incorrect."),
    ],
)
def test_decline_shows_message_and_retry_succeeds(stripe_client, card, message):
    session = checkout_session(stripe_client)
    status, _, page = pay_session(session.url, card)
    assert status == 402 and message in page
    failed = stripe_client.v1.events.list(params={"type": "payment_intent.payment_failed"}).data
    assert len(failed) == (0 if card.endswith("4241") else 1)
    status, location, _ = pay_session(session.url, "4242424242424242")
    assert status == 303 and session.id in location
    done = stripe_client.v1.checkout.sessions.retrieve(session.id)
    assert done.status == "complete"


def test_past_expiry_date_is_refused(stripe_client):
    session = checkout_session(stripe_client)
    status, _, page = pay_session(session.url, "4242424242424242", exp="01 / 20")
    assert status == 402 and "expiration year is invalid" in page


@pytest.mark.parametrize("card", ["4000002500003155", "4000002760003184"])
def test_three_d_secure_complete_and_fail(stripe_client, card):
    session = checkout_session(stripe_client)
    status, location, _ = pay_session(session.url, card)
    assert status == 303 and location.endswith(f"/checkout/{session.id}/authenticate")
    page = http("GET", location)[2]
    assert "Complete" in page and "Fail" in page
    status, _ = complete_3ds(location, "fail")
    assert status == 402
    status, location, _ = pay_session(session.url, card)
    status, success = complete_3ds(location, "complete")
    assert status == 303 and session.id in success
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_cancel_link_and_expired_page(stripe_emulator, stripe_client):
    session = checkout_session(stripe_client)
    assert 'href="https://firm.example/invoice"' in http("GET", session.url)[2]
    stripe_emulator.expire_session(session.id)
    status, _, page = http("GET", session.url)
    assert status == 410 and "This checkout session has expired." in page
    status, _, page = pay_session(session.url, "4242424242424242")
    assert status == 410


def test_subscription_mode_checkout(stripe_client):
    price = monthly_price(stripe_client, 30000)
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "success_url": "https://firm.example/ok?s={CHECKOUT_SESSION_ID}",
            "line_items": [{"price": price.id, "quantity": 1}],
            "customer_email": "retainer@example.com",
        }
    )
    status, _, page = pay_session(session.url, "4000000000000341")
    assert status == 402 and "declined" in page
    assert stripe_client.v1.subscriptions.list(params={"status": "all"}).data == []
    status, _location, _ = pay_session(session.url, "4242424242424242")
    assert status == 303
    done = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["subscription"]})
    assert done.status == "complete" and done.payment_status == "paid"
    assert done.subscription.status == "active" and done.subscription.customer == done.customer
    assert stripe_client.v1.customers.retrieve(done.customer).email == "retainer@example.com"


def test_portal_replaces_default_card_and_returns(stripe_emulator, stripe_client):
    stripe_emulator.save_portal_settings()  # as in the Dashboard: the account has a default portal
    customer, old_pm = customer_with_card(stripe_client)
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "return_url": "https://firm.example/account",
            "flow_data": {
                "type": "payment_method_update",
                "after_completion": {
                    "type": "redirect",
                    "redirect": {"return_url": "https://firm.example/card-updated"},
                },
            },
        }
    )
    page = http("GET", portal.url)[2]
    assert "Visa •••• 4242" in page and 'name="cardnumber"' in page
    status, _, page = http(
        "POST", portal.url, {"cardnumber": "4000000000000002", "exp": "12/34", "cvc": "123"}
    )
    assert status == 402 and "declined" in page
    status, headers, _ = http(
        "POST", portal.url, {"cardnumber": "5555555555554444", "exp": "12/34", "cvc": "123"}
    )
    assert status == 303 and headers["Location"] == "https://firm.example/card-updated"
    updated = stripe_client.v1.customers.retrieve(customer.id)
    new_pm = stripe_client.v1.payment_methods.retrieve(updated.invoice_settings.default_payment_method)
    assert new_pm.id != old_pm and new_pm.card.brand == "mastercard"


def test_unknown_page_is_404(stripe_emulator):
    assert http("GET", f"{stripe_emulator.base_url}/checkout/cs_test_nothing")[0] == 404
