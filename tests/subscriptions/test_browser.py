"""The client's steps in Chromium: the emailed setup link → Stripe's hosted Checkout → back on the firm's site,
then "Update card" → Stripe's portal → back again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caseflow_wagtail.models import PaymentGatewaySettings, SubscriptionStatus
from tests.conftest import ARTIFACTS

from .conftest import create_via_admin, sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_card(page: Page, card: str) -> None:
    page.fill("#cardnumber", card)
    page.fill("#exp", "12 / 34")
    page.fill("#cvc", "123")
    page.fill("#name", "Ada Lovelace")
    page.click("#submit")


def test_the_client_sets_up_the_retainer_and_replaces_the_card_in_chromium(
    firm, staff, clocked_client, page, emulator, live_site
):
    PaymentGatewaySettings.objects.filter(site=live_site).update(allow_card_update=True)
    subscription = create_via_admin(staff, clocked_client.client)
    [email] = sent("subscription-setup")
    setup_link = next(line for line in email.body.splitlines() if "/setup/" in line).strip()

    page.goto(setup_link)
    expect(page.get_by_role("heading", name="Pay with card")).to_be_visible()
    expect(page.locator("body")).to_contain_text("$250.00")
    enter_card(page, "4242 4242 4242 4242")

    expect(page.get_by_role("heading", name="Your retainer")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Active")
    expect(page.locator("body")).to_contain_text("Visa •••• 4242")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "subscription-active.png"), full_page=True)

    page.get_by_role("link", name="Update card").click()
    expect(page.get_by_role("heading", name="Replace card")).to_be_visible()
    enter_card(page, "5555 5555 5555 4444")
    expect(page.get_by_role("heading", name="Your retainer")).to_be_visible()
    emulator.wait_for_deliveries(timeout=20)
    page.reload()
    expect(page.locator("body")).to_contain_text("•••• 4444")

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.card_last4 == "4444"
