"""A site's Stripe client: the site's own key, from the panel or the environment, or an error naming both."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from caseflow_wagtail import stripe_client
from caseflow_wagtail.exceptions import ConfigurationError
from caseflow_wagtail.models import PaymentGatewaySettings

pytestmark = pytest.mark.django_db


def test_a_site_without_a_secret_key_is_told_every_place_looked_in(home_page, monkeypatch):
    monkeypatch.delenv("CASEFLOW_STRIPE_SECRET_KEY", raising=False)
    site = Site.objects.get(is_default_site=True)

    with pytest.raises(ConfigurationError) as missing:
        stripe_client.for_site(site)

    message = str(missing.value)
    assert "Settings → Payment Gateways" in message and str(site) in message
    assert "CASEFLOW_STRIPE_SECRET_KEY environment variable" in message


def test_no_site_is_a_configuration_error_too():
    with pytest.raises(ConfigurationError, match="No site"):
        stripe_client.for_site(None)


def test_the_environment_supplies_the_key_when_the_panel_has_none(
    home_page, monkeypatch, stripe_settings, emulator
):
    monkeypatch.setenv("CASEFLOW_STRIPE_SECRET_KEY", emulator.secret_key)
    site = Site.objects.get(is_default_site=True)
    assert not PaymentGatewaySettings.for_site(site).stripe_secret_key_encrypted

    client = stripe_client.for_site(site)

    assert client.webhook_endpoint_status("we_missing") == "missing"
