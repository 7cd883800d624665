"""Two sites on one live server, each with its own Stripe account in the emulator, settings and invoices."""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
import stripe
from wagtail.models import Page, Site

from caseflow_wagtail.models import InvoiceIndexPage, InvoiceLine, InvoicePage, PaymentGatewaySettings
from caseflow_wagtail.models.settings import BillingSettings
from caseflow_wagtail.testing.stripe_emulator._core import publishable_key_for
from caseflow_wagtail.views.gateway import webhook_endpoint_url

from .conftest import CSRF, configure_gateway

# Site B's own Stripe account: another secret key is another account in the emulator, as in Stripe.
SITE_B_KEY = "sk_test_emu_siteb" + "b" * 20


def b_account():
    return SimpleNamespace(secret_key=SITE_B_KEY, publishable_key=publishable_key_for(SITE_B_KEY))


@pytest.fixture
def site_a(live_site, online, invoice_index) -> Site:
    """The default site (localhost): GBP only, clients may edit the amount."""
    online.currencies_accepted = "GBP"
    online.allow_amount_edit = True
    online.save()
    billing = BillingSettings.for_site(live_site)
    billing.firm_name, billing.billing_email = "Alpha Law", "accounts@alpha.test"
    billing.save()
    return live_site


@pytest.fixture
def site_b(site_a, live_server, emulator) -> Site:
    """A second site at 127.0.0.1 on the same server: USD only, whole balance only, its own account."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="Beta home", slug="beta-home"))
    home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
    site = Site.objects.create(
        hostname="127.0.0.1", port=urlsplit(live_server.url).port, root_page=home, site_name="Beta"
    )
    configure_gateway(site, b_account(), currencies_accepted="USD", allow_amount_edit=False)
    billing = BillingSettings.for_site(site)
    billing.firm_name, billing.billing_email = "Beta Legal", "accounts@beta.test"
    billing.save()
    return site


def invoice_on(
    site: Site, client, *, number: str, amount: str = "100.00", currency: str = "USD"
) -> InvoicePage:
    """A published invoice of one line in ``site``'s invoices folder, due in 30 days."""
    index = InvoiceIndexPage.objects.descendant_of(site.root_page).first()
    today = datetime.date.today()
    invoice = InvoicePage(
        invoice_number=number,
        client=client,
        issue_date=today,
        due_date=today + datetime.timedelta(days=30),
        currency=currency,
        live=False,
    )
    invoice.lines.add(InvoiceLine(description="Work", quantity=Decimal(1), unit_price=Decimal(amount)))
    index.add_child(instance=invoice)
    invoice.save_revision().publish()
    invoice.refresh_from_db()
    return invoice


def public_path(invoice: InvoicePage) -> str:
    return f"/billing/invoice/{invoice.public_token}/"


def open_at(http: requests.Session, site_root: str, invoice: InvoicePage) -> requests.Response:
    return http.get(site_root + public_path(invoice), timeout=10)


def pay_now_at(http: requests.Session, site_root: str, invoice: InvoicePage) -> requests.Response:
    page = open_at(http, site_root, invoice)
    token = CSRF.search(page.text)
    assert token, "no Pay Now form"
    return http.post(
        site_root + public_path(invoice) + "pay/",
        data={"csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )


def signed_post(site: Site, event: dict) -> requests.Response:
    """An event signed with this site's own webhook secret, posted to its endpoint over HTTP."""
    body = json.dumps(event)
    secret = PaymentGatewaySettings.for_site(site).get_webhook_secrets()[0]
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=int(time.time()))
    return requests.post(
        webhook_endpoint_url(site),
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        timeout=10,
    )


def paid_session_event(session_id: str, metadata: dict, amount_minor: int, currency: str) -> dict:
    return {
        "id": "evt_" + session_id,
        "object": "event",
        "type": "checkout.session.completed",
        "livemode": False,
        "created": int(time.time()),
        "api_version": "2026-10-28.endive",
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": amount_minor,
                "currency": currency.lower(),
                "payment_intent": "pi_" + session_id,
                "metadata": metadata,
                "livemode": False,
            }
        },
    }
