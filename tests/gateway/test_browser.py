"""An administrator configures Stripe in a real browser, against the emulator over HTTP."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings
from tests.admin_login import log_in_as_partner
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_saves_test_keys_and_sets_up_the_webhook(
    page, live_server, home_page, django_user_model, stripe_settings, emulator
):
    emulator.reset()
    site = Site.objects.get(is_default_site=True)

    log_in_as_partner(page, django_user_model, live_server.url)

    page.goto(f"{live_server.url}/admin/settings/caseflow_wagtail/paymentgatewaysettings/{site.pk}/")
    page.check("input[name=online_payments_enabled]")
    page.fill("input[name=stripe_publishable_key]", emulator.publishable_key)
    page.fill("input[name=stripe_secret_key]", emulator.secret_key)
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("text=TEST MODE")
    assert page.is_visible("text=never a trust or IOLTA account")
    assert emulator.secret_key not in page.content()

    page.click("text=Set up webhook")
    page.click("button:has-text('Yes, set up the webhook')")
    page.wait_for_selector("text=Webhook active")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "payment-gateways-panel.png"), full_page=True)

    stored = PaymentGatewaySettings.for_site(site)
    assert stored.webhook_endpoint_id.startswith("we_")
    assert stored.webhook_endpoint_id in page.content()
    endpoints = emulator.stripe_client().v1.webhook_endpoints.list().data
    assert [endpoint.id for endpoint in endpoints] == [stored.webhook_endpoint_id]
