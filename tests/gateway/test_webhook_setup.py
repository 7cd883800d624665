from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings
from caseflow_wagtail.stripe_api import API_VERSION
from caseflow_wagtail.webhooks.registry import SUBSCRIBED_EVENTS

from .conftest import gateway_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(admin_client, gateway_url, stripe_settings, emulator):
    emulator.reset()
    response = admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
        ),
    )
    assert response.status_code == 302
    return Site.objects.get(is_default_site=True)


def setup_url(site) -> str:
    return reverse("caseflow_wagtail_gateway:webhook_setup", args=[site.pk])


def endpoints(emulator) -> list:
    return list(emulator.stripe_client().v1.webhook_endpoints.list().data)


def test_setup_twice_leaves_one_endpoint_with_the_right_url_events_and_version(
    admin_client, configured, emulator
):
    confirm = admin_client.get(setup_url(configured))
    assert confirm.status_code == 200
    expected_url = f"http://localhost/billing/webhooks/stripe/{configured.pk}/"
    assert expected_url in confirm.content.decode()

    first = admin_client.post(setup_url(configured), follow=True)
    second = admin_client.post(setup_url(configured), follow=True)

    assert "Webhook active (we_" in first.content.decode()
    assert "Webhook active (we_" in second.content.decode()
    found = endpoints(emulator)
    assert len(found) == 1
    endpoint = found[0]
    assert endpoint.url == expected_url
    assert sorted(endpoint.enabled_events) == sorted(SUBSCRIBED_EVENTS)
    assert endpoint.api_version == API_VERSION
    stored = PaymentGatewaySettings.for_site(configured)
    assert stored.webhook_endpoint_id == endpoint.id
    assert stored.get_webhook_secrets()[0].startswith("whsec_")


def test_an_endpoint_deleted_in_stripe_is_recreated(admin_client, configured, emulator):
    admin_client.post(setup_url(configured))
    old_id = PaymentGatewaySettings.for_site(configured).webhook_endpoint_id
    emulator.stripe_client().v1.webhook_endpoints.delete(old_id)

    admin_client.post(setup_url(configured))

    found = endpoints(emulator)
    assert len(found) == 1
    assert found[0].id != old_id
    assert PaymentGatewaySettings.for_site(configured).webhook_endpoint_id == found[0].id


def test_a_stripe_error_shows_the_manual_setup(admin_client, configured, emulator):
    emulator.fail_next(path="/v1/webhook_endpoints*", status=500, count=10)
    try:
        response = admin_client.post(setup_url(configured))
    finally:
        emulator.clear_faults()

    page = response.content.decode()
    assert response.status_code == 200
    assert f"http://localhost/billing/webhooks/stripe/{configured.pk}/" in page
    for event in ("payment_intent.succeeded", "checkout.session.completed", "invoice.paid"):
        assert event in page
    assert 'name="secret"' in page
    assert PaymentGatewaySettings.for_site(configured).webhook_endpoint_id == ""


def test_a_pasted_secret_is_validated_and_stored(admin_client, configured):
    secret_url = reverse("caseflow_wagtail_gateway:webhook_secret", args=[configured.pk])

    refused = admin_client.post(secret_url, {"secret": "not-a-secret"})
    assert refused.status_code == 400
    assert PaymentGatewaySettings.for_site(configured).get_webhook_secrets() == []

    admin_client.post(secret_url, {"secret": "whsec_" + "a1" * 16})
    admin_client.post(secret_url, {"secret": "whsec_" + "b2" * 16, "keep_previous": "on"})

    assert PaymentGatewaySettings.for_site(configured).get_webhook_secrets() == [
        "whsec_" + "b2" * 16,
        "whsec_" + "a1" * 16,
    ]


def test_live_mode_on_localhost_goes_straight_to_manual_setup(admin_client, home_page):
    site = Site.objects.get(is_default_site=True)
    stored = PaymentGatewaySettings.for_site(site)
    stored.stripe_publishable_key = "pk_live_abc"
    stored.set_secret_key("sk_live_abcdefgh")
    stored.save()

    response = admin_client.post(setup_url(site))

    assert "HTTPS" in response.content.decode() or "cannot reach" in response.content.decode()
    assert 'name="secret"' in response.content.decode()


def test_setup_again_subscribes_an_existing_endpoint_to_new_events_keeping_its_secret(
    admin_client, configured, emulator
):
    # A firm that set up its webhook before charge.updated (asynchronous capture's fee) was handled.
    admin_client.post(setup_url(configured), follow=True)
    stored = PaymentGatewaySettings.for_site(configured)
    secret = stored.get_webhook_secrets()[0]
    older = [event for event in SUBSCRIBED_EVENTS if event != "charge.updated"]
    emulator.stripe_client().v1.webhook_endpoints.update(
        stored.webhook_endpoint_id, params={"enabled_events": older}
    )

    admin_client.post(setup_url(configured), follow=True)

    (endpoint,) = endpoints(emulator)
    assert endpoint.id == stored.webhook_endpoint_id
    assert "charge.updated" in endpoint.enabled_events
    assert PaymentGatewaySettings.for_site(configured).get_webhook_secrets()[0] == secret
