"""A client paying from the account page over plain HTTP: ticks invoices, types an amount, pays on the
emulator's Checkout page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import requests

from caseflow_wagtail.models import Client
from tests.paynow.conftest import CSRF, ClientBrowser

ERROR = re.compile(r'<p id="(cf-(?:amount|invoices)-[A-Z]{3}-error)" class="cf-pay__error">([^<]*)</p>')


@dataclass
class AccountBrowser:
    browser: ClientBrowser

    @property
    def session(self) -> requests.Session:
        return self.browser.session

    def url(self, client: Client, tail: str = "") -> str:
        return f"{self.browser.base_url}/billing/account/{client.account_token}/{tail}"

    def open(self, client: Client) -> requests.Response:
        return self.session.get(self.url(client), timeout=10)

    def pay(self, client: Client, invoices, *, currency: str = "USD", amount: str | None = None):
        """Tick ``invoices`` on the page (the others unticked) and press the currency's pay button."""
        page = self.open(client)
        token = CSRF.search(page.text)
        assert token, "the account page has no pay form"
        data: dict[str, object] = {
            "csrfmiddlewaretoken": token.group(1),
            "currency": currency,
            "invoice": [str(invoice.pk) for invoice in invoices],
        }
        if amount is not None:
            data["amount"] = amount
        return self.session.post(self.url(client, "pay/"), data=data, allow_redirects=False, timeout=10)

    def pay_on_checkout(self, checkout_url: str, card: str = "4242424242424242") -> requests.Response:
        return self.browser.pay_on_checkout(checkout_url, card=card)

    def confirm(self, client: Client, invoices, **options) -> requests.Response:
        """Pay ``invoices`` all the way to the confirmation page."""
        clicked = self.pay(client, invoices, **options)
        assert clicked.status_code == 302, clicked.text[:2000]
        returned = self.pay_on_checkout(clicked.headers["Location"])
        assert returned.status_code == 303, returned.text[:500]
        return self.session.get(returned.headers["Location"], timeout=10)


def errors(page: str) -> dict[str, str]:
    """The refusals the page shows at their fields, by the id the field points at."""
    return {name: html.unescape(text) for name, text in ERROR.findall(page)}
