"""The "Update card" link: on invoice pages and in emails only when the firm allows it, keyed on tokens."""

from __future__ import annotations

import pytest

from caseflow_wagtail.models import PaymentGatewaySettings, Subscription, SubscriptionStatus
from caseflow_wagtail.subscriptions import card_update_link

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def retainer(online, billing_client) -> Subscription:
    """A client with an active subscription whose Stripe customer exists in the emulator."""
    from caseflow_wagtail.stripe_api import StripeGateway

    customer = StripeGateway(online.get_secret_key()).create_customer(
        email=billing_client.contact_email, metadata={}, key="test-customer"
    )
    billing_client.stripe_customer_id = customer["id"]
    billing_client.save()
    return Subscription.objects.create(
        client=billing_client,
        site=online.site,
        description="Monthly retainer",
        amount="100.00",
        currency="USD",
        interval="monthly",
        status=SubscriptionStatus.ACTIVE,
        stripe_customer_id=customer["id"],
        stripe_subscription_id="sub_test",
    )


def set_card_updates(site, allowed: bool) -> None:
    PaymentGatewaySettings.objects.filter(site=site).update(allow_card_update=allowed)


def test_when_off_there_is_no_link_and_the_routes_404(retainer, make_invoice, client_browser, live_site):
    set_card_updates(live_site, False)
    invoice = make_invoice(client=retainer.client)

    page = client_browser.open_invoice(invoice)
    assert page.status_code == 200
    assert "Update card" not in page.text
    assert "update-card" not in page.text
    assert card_update_link(retainer) == ""
    for path in (
        f"/billing/invoice/{invoice.public_token}/update-card/",
        f"/billing/subscription/{retainer.public_token}/update-card/",
    ):
        answer = client_browser.session.get(client_browser.base_url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 404, path
    status_page = client_browser.session.get(
        client_browser.base_url + f"/billing/subscription/{retainer.public_token}/", timeout=10
    )
    assert "Update card" not in status_page.text


def test_when_on_the_invoice_page_links_to_a_portal_that_returns_to_it(
    retainer, make_invoice, client_browser, live_site, emulator
):
    set_card_updates(live_site, True)
    invoice = make_invoice(client=retainer.client)

    page = client_browser.open_invoice(invoice)
    assert "Update card" in page.text
    route = f"/billing/invoice/{invoice.public_token}/update-card/"
    assert route in page.text

    answer = client_browser.session.get(client_browser.base_url + route, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(emulator.base_url + "/billing_portal/bps_")
    [create] = [r for r in emulator.requests(method="POST") if r["path"] == "/v1/billing_portal/sessions"]
    assert create["params"]["customer"] == retainer.stripe_customer_id
    assert create["params"]["flow_data"]["type"] == "payment_method_update"
    assert create["params"]["return_url"] == client_browser.base_url + invoice.url


def test_the_routes_open_no_portal_for_a_guessed_token_or_a_client_without_a_retainer(
    retainer, make_invoice, client_browser, live_site, emulator
):
    from caseflow_wagtail.models import Client

    set_card_updates(live_site, True)
    other = Client.objects.create(name="Other", contact_email="o@other.test", stripe_customer_id="cus_other")
    no_retainer = make_invoice(client=other)
    assert "Update card" not in client_browser.open_invoice(no_retainer).text
    for path in (
        f"/billing/invoice/{no_retainer.public_token}/update-card/",
        f"/billing/subscription/{retainer.public_token[:-2]}xx/update-card/",
        f"/billing/subscription/{retainer.pk}/update-card/",
        f"/billing/invoice/{retainer.stripe_customer_id}/update-card/",
    ):
        answer = client_browser.session.get(client_browser.base_url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 404, path
    assert not [r for r in emulator.requests(method="POST") if r["path"] == "/v1/billing_portal/sessions"]
    # A canceled retainer no longer offers the link either.
    Subscription.objects.filter(pk=retainer.pk).update(status=SubscriptionStatus.CANCELED)
    invoice = make_invoice(client=retainer.client)
    assert "Update card" not in client_browser.open_invoice(invoice).text


def _card_update(client_browser, invoice):
    route = f"/billing/invoice/{invoice.public_token}/update-card/"
    return client_browser.session.get(client_browser.base_url + route, allow_redirects=False, timeout=10)


def test_update_card_works_on_a_fresh_account_with_its_own_portal_configuration(
    retainer, make_invoice, client_browser, live_site, emulator
):
    # Stripe refuses a portal session without ``configuration`` until the account's portal settings are
    # saved in the Dashboard: the plugin brings its own configuration, made once and then reused.
    set_card_updates(live_site, True)
    invoice = make_invoice(client=retainer.client)
    stripe = emulator.stripe_client()
    assert stripe.v1.billing_portal.configurations.list().data == []

    first = _card_update(client_browser, invoice)
    second = _card_update(client_browser, invoice)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].startswith(emulator.base_url + "/billing_portal/bps_")
    [configuration] = stripe.v1.billing_portal.configurations.list().data
    features = configuration.features
    assert features.payment_method_update.enabled is True
    assert not any(
        getattr(features, name).enabled
        for name in ("customer_update", "invoice_history", "subscription_cancel", "subscription_update")
    )
    assert configuration.business_profile.headline
    sessions = [r for r in emulator.requests(method="POST") if r["path"] == "/v1/billing_portal/sessions"]
    assert [s["params"]["configuration"] for s in sessions] == [configuration.id, configuration.id]
    creates = [
        r for r in emulator.requests(method="POST") if r["path"] == "/v1/billing_portal/configurations"
    ]
    assert len(creates) == 1
    assert PaymentGatewaySettings.for_site(live_site).portal_configuration_id == configuration.id

    # The client really can replace the card on the page the link opened.
    portal_page = client_browser.session.get(first.headers["Location"], timeout=10)
    assert portal_page.status_code == 200


def test_a_portal_configuration_deleted_in_stripe_or_of_another_account_is_made_again(
    retainer, make_invoice, client_browser, live_site, emulator
):
    set_card_updates(live_site, True)
    invoice = make_invoice(client=retainer.client)
    PaymentGatewaySettings.objects.filter(site=live_site).update(portal_configuration_id="bpc_not_here")

    answer = _card_update(client_browser, invoice)

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(emulator.base_url + "/billing_portal/bps_")
    [configuration] = emulator.stripe_client().v1.billing_portal.configurations.list().data
    assert PaymentGatewaySettings.for_site(live_site).portal_configuration_id == configuration.id
