"""The plugin in host sites as they are: login required everywhere, Stripe settings from the environment."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.stripe_api import StripeGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_required_everywhere(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    settings.LOGIN_URL = "/admin/login/"


def test_clients_and_stripe_are_never_sent_to_a_login_page(client, make_invoice, login_required_everywhere):
    invoice = make_invoice(lines=[("Advice", "1", "150.00", None)])
    # The middleware is in force: a page of the site itself asks for a login.
    assert client.get("/").status_code == 302

    page = client.get(invoice.url)
    assert page.status_code == 200 and invoice.invoice_number in page.content.decode()
    for name in ("paid", "cancelled"):
        answer = client.get(reverse(f"caseflow_wagtail:{name}", kwargs={"token": invoice.public_token}))
        assert answer.status_code != 302 or "/admin/login/" not in answer["Location"]
    site = Site.objects.get(is_default_site=True)
    webhook = client.post(
        reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk}),
        data="{}",
        content_type="application/json",
    )
    # Refused for what it is (no signing secret, no signature), not redirected to a login page.
    assert webhook.status_code == 400


def test_the_emulator_address_can_come_from_the_environment(settings, monkeypatch, emulator):
    settings.CASEFLOW_WAGTAIL = {}
    monkeypatch.setenv("CASEFLOW_STRIPE_API_BASE", emulator.base_url)
    emulator.clear_requests()

    StripeGateway(emulator.secret_key).verify_key()

    assert [r["path"] for r in emulator.requests()] == ["/v1/customers"]
