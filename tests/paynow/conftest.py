"""A site taking card payments through the emulator, with real HTTP between them both ways."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings
from caseflow_wagtail.stripe_api import StripeGateway
from caseflow_wagtail.views.gateway import webhook_endpoint_url
from caseflow_wagtail.webhooks.registry import SUBSCRIBED_EVENTS

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGES = re.compile(r'<li class="cf-message[^"]*">([^<]*)</li>')
FIELD_ERROR = re.compile(r'<p id="cf-amount-error"[^>]*>([^<]*)</p>')


def field_error(page: str) -> str:
    """The error the invoice page shows at the amount field (which the field points at)."""
    found = FIELD_ERROR.search(page)
    assert found, "no error at the amount field"
    return html.unescape(found.group(1))


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Pay Now counts attempts per client address in the cache: each test starts a new window."""
    cache.clear()


def checkout_creates(emulator) -> list[dict]:
    """The Checkout Session creations the emulator received (failed attempts included)."""
    return [r for r in emulator.requests(method="POST") if r["path"] == "/v1/checkout/sessions"]


@pytest.fixture
def live_site(live_server, home_page) -> Site:
    """The default site answering at the live server's address, so the webhook URL reaches it."""
    address = urlsplit(live_server.url)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = address.hostname, address.port
    site.save()
    return site


def configure_gateway(site: Site, emulator, **options) -> PaymentGatewaySettings:
    gateway = PaymentGatewaySettings.for_site(site)
    gateway.online_payments_enabled = True
    gateway.stripe_publishable_key = emulator.publishable_key
    gateway.set_secret_key(emulator.secret_key)
    for name, value in options.items():
        setattr(gateway, name, value)
    setup = StripeGateway(emulator.secret_key).ensure_webhook_endpoint(
        webhook_endpoint_url(site), SUBSCRIBED_EVENTS, gateway.webhook_endpoint_id
    )
    gateway.webhook_endpoint_id = setup.endpoint_id
    gateway.set_webhook_secret(setup.secret, keep_previous=False)
    gateway.save()
    return gateway


@pytest.fixture
def online(live_site, stripe_settings, emulator) -> PaymentGatewaySettings:
    emulator.reset()
    return configure_gateway(live_site, emulator)


@dataclass
class ClientBrowser:
    """A firm's client, as plain HTTP: opens the invoice link, clicks Pay Now, types a card."""

    base_url: str
    session: requests.Session

    def open_invoice(self, invoice) -> requests.Response:
        return self.session.get(self.base_url + invoice.url, timeout=10)

    def click_pay_now(self, invoice, amount: str | None = None) -> requests.Response:
        page = self.open_invoice(invoice)
        token = CSRF.search(page.text)
        assert token, "the invoice page has no Pay Now form"
        data = {"csrfmiddlewaretoken": token.group(1)}
        if amount is not None:
            data["amount"] = amount
        return self.session.post(
            f"{self.base_url}/billing/invoice/{invoice.public_token}/pay/",
            data=data,
            allow_redirects=False,
            timeout=10,
        )

    def post_pay(self, invoice, data: dict[str, str]) -> requests.Response:
        """POST the Pay Now form as a tampering client would, with whatever fields it likes."""
        token = self.session.cookies.get("csrftoken")
        assert token, "open an invoice with a Pay Now form first: it sets the CSRF cookie"
        return self.session.post(
            f"{self.base_url}/billing/invoice/{invoice.public_token}/pay/",
            data={"csrfmiddlewaretoken": token, **data},
            allow_redirects=False,
            timeout=10,
        )

    def messages(self, invoice) -> list[str]:
        """The notices the invoice page shows now (Django's messages, shown once)."""
        return [html.unescape(text) for text in MESSAGES.findall(self.open_invoice(invoice).text)]

    def pay_on_checkout(self, checkout_url: str, card: str = "4242424242424242") -> requests.Response:
        return self.session.post(
            checkout_url,
            data={
                "cardnumber": card,
                "exp": "12 / 34",
                "cvc": "123",
                "name": "Ada Lovelace",
                "email": "ada@acme.test",
            },
            allow_redirects=False,
            timeout=10,
        )


@pytest.fixture
def client_browser(live_server) -> ClientBrowser:
    return ClientBrowser(base_url=live_server.url, session=requests.Session())
