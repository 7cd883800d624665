"""Invoice pages under a strict Content-Security-Policy, in Chromium: nothing on the page is blocked, and the
policy still lets Pay Now's form lead to Stripe Checkout (Chromium applies form-action to that redirect)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caseflow_wagtail.headers import STRIPE_FORM_ACTIONS
from caseflow_wagtail.models import CheckoutSession

pytestmark = pytest.mark.django_db(transaction=True)


def test_invoice_pages_send_a_strict_policy_and_refuse_frames(client, make_invoice):
    invoice = make_invoice()
    response = client.get(invoice.url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert all(origin in policy for origin in STRIPE_FORM_ACTIONS)
    assert response["X-Frame-Options"] == "DENY"


def test_a_host_can_replace_or_drop_the_policy(client, make_invoice, settings):
    invoice = make_invoice()
    settings.CASEFLOW_WAGTAIL = {"CONTENT_SECURITY_POLICY": "default-src 'self'"}
    assert client.get(invoice.url)["Content-Security-Policy"] == "default-src 'self'"
    settings.CASEFLOW_WAGTAIL = {"CONTENT_SECURITY_POLICY": ""}
    assert "Content-Security-Policy" not in client.get(invoice.url)


@pytest.mark.browser
def test_pay_now_reaches_checkout_under_the_policy_and_nothing_is_blocked(
    online, make_invoice, page, live_server, emulator
):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security" in message.text else None,
    )
    invoice = make_invoice(lines=[("Advice", "1", "80.00", None)])

    page.goto(live_server.url + invoice.url)
    # The stylesheet loaded: the masthead is laid out by invoice.css, not the browser's defaults.
    expect(page.locator(".cf-masthead")).to_be_visible()
    assert page.evaluate("document.styleSheets.length") >= 1
    page.get_by_role("button", name="Pay Now").click()
    expect(page.get_by_role("heading", name="Pay with card")).to_be_visible()

    assert page.url.startswith(emulator.base_url + "/checkout/")
    assert violations == []


@pytest.mark.browser
def test_a_policy_with_form_action_self_alone_blocks_pay_now_as_the_docs_warn(
    online, make_invoice, page, live_server, emulator, settings
):
    # What a host's own policy does to Pay Now when it allows forms only to the site itself.
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "CONTENT_SECURITY_POLICY": "form-action 'self'"}
    invoice = make_invoice(lines=[("Advice", "1", "80.00", None)])

    page.goto(live_server.url + invoice.url)
    with page.expect_console_message(lambda message: "form-action" in message.text) as refused:
        page.get_by_role("button", name="Pay Now").click()

    assert "Content Security Policy" in refused.value.text
    assert not page.url.startswith(emulator.base_url)
    assert CheckoutSession.objects.count() == 1  # the site opened it; the browser refused to follow
