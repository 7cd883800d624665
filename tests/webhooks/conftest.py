"""Shared by the webhook endpoint tests: a site with a signing secret, and its endpoint's URL."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings

SECRET = "whsec_" + "k3" * 16


@pytest.fixture
def site(home_page) -> Site:
    site = Site.objects.get(is_default_site=True)
    gateway = PaymentGatewaySettings.for_site(site)
    gateway.set_webhook_secret(SECRET)
    gateway.save()
    return site


@pytest.fixture
def url(site) -> str:
    return reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})
