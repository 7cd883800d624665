"""Chromium pays on the hosted Checkout page, as a firm's client would."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import stripe

from caseflow_wagtail.testing.browser import CHROMIUM, chromium_browser

from .scenarios import checkout_session

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/test installs it with apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context()
    # The success and cancel URLs belong to the firm's site; answer them locally so no network is needed.
    context.route(
        re.compile(r"^https://firm\.example/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Thank you</h1>"),
    )
    page = context.new_page()
    yield page
    context.close()


def _fill_card(page, number: str) -> None:
    page.fill("#email", "client@example.com")
    page.fill("#cardnumber", number)
    page.fill("#exp", "12 / 34")
    page.fill("#cvc", "123")
    page.fill("#name", "Jo Client")
    page.click("#submit")


def test_pay_decline_retry_and_3ds_with_signed_webhooks(
    stripe_emulator, stripe_client, webhook_receiver, page
):
    secret = stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["*"]}
    ).secret

    # 1. 4242 pays and lands on the success URL with the session id.
    first = checkout_session(stripe_client, amount=123456)
    page.goto(first.url)
    assert page.locator("[data-testid=total]").inner_text() == "$1,234.56"
    assert "Invoice INV-0042" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "emulator-checkout.png"), full_page=True)
    _fill_card(page, "4242 4242 4242 4242")
    page.wait_for_url(f"https://firm.example/paid?session={first.id}")

    # 2. 0002 is declined with a message; the same session then takes 4242.
    second = checkout_session(stripe_client, amount=5000)
    page.goto(second.url)
    _fill_card(page, "4000000000000002")
    assert page.locator("#error").inner_text() == "Your card was declined."
    _fill_card(page, "4242424242424242")
    page.wait_for_url(f"https://firm.example/paid?session={second.id}")

    # 3. 3155 asks for 3-D Secure; completing it pays.
    third = checkout_session(stripe_client, amount=7500)
    page.goto(third.url)
    _fill_card(page, "4000002500003155")
    page.wait_for_url(re.compile(r".*/authenticate$"))
    page.click("#complete")
    page.wait_for_url(f"https://firm.example/paid?session={third.id}")

    for session in (first, second, third):
        done = stripe_client.v1.checkout.sessions.retrieve(session.id)
        assert (done.status, done.payment_status) == ("complete", "paid")

    received = webhook_receiver.wait_for(
        lambda r: sum(b"checkout.session.completed" in x.body for x in r) == 3, timeout=15
    )
    events = [stripe.Webhook.construct_event(r.body.decode(), r.signature, secret) for r in received]
    completed = {e.data.object.id for e in events if e.type == "checkout.session.completed"}
    assert completed == {first.id, second.id, third.id}
    types = [e.type for e in events]
    assert types.count("payment_intent.succeeded") == 3
    assert types.count("charge.succeeded") == 3
    assert types.count("payment_intent.payment_failed") == 1
    assert "payment_intent.requires_action" in types


def test_cancel_link_and_expired_session(stripe_emulator, stripe_client, page):
    session = checkout_session(stripe_client)
    page.goto(session.url)
    page.click("#cancel")
    page.wait_for_url("https://firm.example/invoice")
    stripe_client.v1.checkout.sessions.expire(session.id)
    page.goto(session.url)
    assert page.locator("#message").inner_text() == "This checkout session has expired."


def test_portal_replaces_card_in_the_browser(stripe_emulator, stripe_client, page):
    stripe_emulator.save_portal_settings()  # as in the Dashboard: the account has a default portal
    from .scenarios import customer_with_card

    customer, _ = customer_with_card(stripe_client)
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "return_url": "https://firm.example/account",
            "flow_data": {"type": "payment_method_update"},
        }
    )
    page.goto(portal.url)
    assert "Visa •••• 4242" in page.locator("#current-card").inner_text()
    page.fill("#cardnumber", "5555 5555 5555 4444")
    page.fill("#exp", "10/31")
    page.fill("#cvc", "321")
    page.click("#submit")
    page.wait_for_url("https://firm.example/account")
    pm = stripe_client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    assert stripe_client.v1.payment_methods.retrieve(pm).card.last4 == "4444"
