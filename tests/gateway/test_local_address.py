"""A site whose address Stripe cannot reach (127.0.0.1, localhost, a private network): the webhook setup
says so plainly and offers the manual path and the Stripe CLI, and a pasted secret verifies deliveries."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings, StripeEvent
from caseflow_wagtail.testing import StripeEmulator
from caseflow_wagtail.testing.stripe_emulator import sign
from caseflow_wagtail.webhooks.registry import SUBSCRIBED_EVENTS

pytestmark = pytest.mark.django_db

NOT_PUBLIC = "is not a public internet address"


@pytest.fixture(scope="module")
def strict_emulator():
    """An emulator as strict as Stripe: no webhook endpoints on local addresses."""
    with StripeEmulator() as running:
        yield running


@pytest.fixture
def local_site(home_page) -> Site:
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "127.0.0.1", 8000
    site.save()
    return site


def keys(site: Site, secret_key: str, publishable_key: str) -> PaymentGatewaySettings:
    gateway = PaymentGatewaySettings.for_site(site)
    gateway.stripe_publishable_key = publishable_key
    gateway.set_secret_key(secret_key)
    gateway.save()
    return gateway


def setup_url(site: Site) -> str:
    return reverse("caseflow_wagtail_gateway:webhook_setup", args=[site.pk])


def endpoint_url(site: Site) -> str:
    return f"http://127.0.0.1:8000/billing/webhooks/stripe/{site.pk}/"


def assert_manual_path(page: str, site: Site) -> None:
    assert NOT_PUBLIC in page
    assert f'<code class="caseflow-webhook-url">{endpoint_url(site)}</code>' in page
    assert f"stripe listen --forward-to {endpoint_url(site)}" in page
    for event in SUBSCRIBED_EVENTS:
        assert event in page
    assert 'name="secret"' in page


def signed_delivery(client, site: Site, secret: str, event_id: str):
    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "customer.created",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": {"id": "cus_cli", "object": "customer"}},
        }
    ).encode()
    return client.post(
        reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk}),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret, int(time.time())),
    )


def test_setup_on_127_0_0_1_with_a_stripe_strict_emulator_offers_the_manual_path_and_the_cli(
    admin_client, client, settings, local_site, strict_emulator
):
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "STRIPE_API_BASE": strict_emulator.base_url}
    keys(local_site, strict_emulator.secret_key, strict_emulator.publishable_key)

    answer = admin_client.post(setup_url(local_site))

    assert answer.status_code == 200
    assert_manual_path(answer.content.decode(), local_site)
    assert strict_emulator.stripe_client().v1.webhook_endpoints.list().data == []
    assert PaymentGatewaySettings.for_site(local_site).webhook_endpoint_id == ""

    # What `stripe listen` prints, pasted into the form: deliveries signed with it now verify.
    cli_secret = "whsec_" + "c1i" * 12
    pasted = admin_client.post(
        reverse("caseflow_wagtail_gateway:webhook_secret", args=[local_site.pk]), {"secret": cli_secret}
    )
    assert pasted.status_code == 302
    assert signed_delivery(client, local_site, "whsec_" + "0" * 36, "evt_forged").status_code == 400
    assert signed_delivery(client, local_site, cli_secret, "evt_from_cli").status_code == 200
    assert StripeEvent.objects.filter(stripe_id="evt_from_cli").exists()


def test_against_stripe_the_setup_page_says_so_before_any_click(admin_client, settings, local_site):
    # Real Stripe (no emulator): the address is known not to be reachable, test mode included.
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "STRIPE_API_BASE": None}
    keys(local_site, "sk_test_" + "k" * 24, "pk_test_" + "k" * 24)

    page = admin_client.get(setup_url(local_site)).content.decode()
    assert_manual_path(page, local_site)
    assert "Yes, set up the webhook" not in page
    clicked = admin_client.post(setup_url(local_site))
    assert clicked.status_code == 200
    assert_manual_path(clicked.content.decode(), local_site)

    panel = admin_client.get(
        reverse("wagtailsettings:edit", args=["caseflow_wagtail", "paymentgatewaysettings", local_site.pk])
    ).content.decode()
    assert NOT_PUBLIC in panel


def test_the_setup_command_on_a_local_site_prints_the_manual_path_and_the_cli(
    settings, local_site, strict_emulator
):
    from django.core.management import CommandError, call_command

    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "STRIPE_API_BASE": strict_emulator.base_url}
    keys(local_site, strict_emulator.secret_key, strict_emulator.publishable_key)

    with pytest.raises(CommandError) as refused:
        call_command("caseflow_stripe_setup", "--webhook")

    message = str(refused.value)
    assert NOT_PUBLIC in message
    assert f"stripe listen --forward-to {endpoint_url(local_site)}" in message
    assert "checkout.session.completed" in message
