"""The client's steps in Chromium: the emailed setup link → Stripe's hosted Checkout → back on the firm's site,
then "Update card" → Stripe's portal → back again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from caseflow_wagtail.models import (
    CycleStatus,
    Payment,
    PaymentGatewaySettings,
    SubscriptionCycle,
    SubscriptionStatus,
)
from caseflow_wagtail.subscriptions import card_update_link
from tests.conftest import ARTIFACTS

from .conftest import (
    advance_past_period_end,
    complete_setup,
    create_via_admin,
    replace_card_in_portal,
    sent,
    setup_link_from_admin,
)

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


def test_the_client_confirms_a_renewal_with_the_bank_from_the_emailed_link_in_chromium(
    firm, staff, clocked_client, client_browser, page, emulator, live_site, stripe_client
):
    import stripe

    PaymentGatewaySettings.objects.filter(site=live_site).update(allow_card_update=True)
    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    # A card whose bank asks for 3-D Secure on every payment: the off-session renewal cannot go through.
    replace_card_in_portal(client_browser, card_update_link(subscription), "4000002760003184")
    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    open_invoice = SubscriptionCycle.objects.get(status=CycleStatus.FAILED).stripe_invoice_id
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(open_invoice, params={"off_session": False})
    emulator.wait_for_deliveries(timeout=20)
    assert SubscriptionCycle.objects.get(stripe_invoice_id=open_invoice).status == CycleStatus.ACTION_REQUIRED

    [email] = sent("subscription-action-required")
    hosted = stripe_client.v1.invoices.retrieve(open_invoice).hosted_invoice_url
    assert hosted and hosted in email.body
    page.goto(next(line for line in email.body.splitlines() if line.strip().startswith("http")).strip())
    expect(page.locator("#amount-due")).to_have_text("$250.00")
    page.click("#confirm")
    expect(page.get_by_role("heading", name="3D Secure 2 Test Page")).to_be_visible()
    page.click("#complete")
    expect(page.locator("#paid")).to_have_text("Invoice paid.")
    emulator.wait_for_deliveries(timeout=20)

    assert stripe_client.v1.invoices.retrieve(open_invoice).status == "paid"
    cycle = SubscriptionCycle.objects.select_related("invoice").get(stripe_invoice_id=open_invoice)
    assert cycle.status == CycleStatus.PAID
    renewal = Payment.objects.filter(invoice=cycle.invoice)
    assert renewal.count() == 1
    assert renewal.get().amount == Decimal("250.00")
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
