"""A firm's site with retainer subscriptions, the emulator's test clocks and the client as plain HTTP."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import BillingSettings, Client, Subscription
from tests.paynow.conftest import (  # noqa: F401  (fixtures)
    ClientBrowser,
    client_browser,
    fresh_rate_limits,
    live_site,
    online,
)

FIRM_EMAIL = "accounts@firm.test"
SETUP_LINK = re.compile(r'data-testid="setup-link" value="([^"]+)"|value="([^"]+)" data-testid="setup-link"')


@pytest.fixture
def firm(live_site) -> BillingSettings:  # noqa: F811
    billing = BillingSettings.for_site(live_site)
    billing.firm_name = "Lovelace & Babbage LLP"
    billing.billing_email = FIRM_EMAIL
    billing.save()
    return billing


@pytest.fixture
def staff(django_user_model, client):
    user = django_user_model.objects.create_superuser("boss", "boss@firm.test", "pw")
    client.force_login(user)
    return client


@dataclass
class ClockedCustomer:
    client: Client
    clock_id: str


@pytest.fixture
def stripe_client(emulator):
    return emulator.stripe_client()


@pytest.fixture
def clocked_client(online, stripe_client) -> ClockedCustomer:  # noqa: F811
    """A retainer client whose Stripe customer lives on a test clock, so cycles can be fast-forwarded.

    The plugin reuses a client's existing Stripe customer, which is how the clock reaches the subscription.
    """
    clock = stripe_client.v1.test_helpers.test_clocks.create(params={"frozen_time": int(time.time())})
    customer = stripe_client.v1.customers.create(params={"email": "ada@acme.test", "test_clock": clock.id})
    client = Client.objects.create(
        name="Acme Holdings",
        contact_name="Ada Lovelace",
        contact_email="ada@acme.test",
        notes="Matter: Acme v. Babbage (confidential)",
        stripe_customer_id=customer.id,
    )
    return ClockedCustomer(client=client, clock_id=clock.id)


def create_via_admin(staff, client: Client, amount="250.00", interval="monthly", currency="USD", **extra):
    response = staff.post(
        reverse("caseflow_subscriptions:add"),
        {
            "client": client.pk,
            "amount": amount,
            "currency": currency,
            "interval": interval,
            "description": "Monthly retainer",
            "send_email": "on",
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Subscription.objects.get(client=client)


def setup_link_from_admin(staff, subscription: Subscription) -> str:
    page = staff.get(reverse("caseflow_subscriptions:inspect", args=[subscription.pk])).content.decode()
    found = SETUP_LINK.search(page)
    assert found, "the detail view shows no setup link"
    return found.group(1) or found.group(2)


def complete_setup(
    browser: ClientBrowser, setup_link: str, card: str = "4242424242424242"
) -> requests.Response:
    """The client follows the setup link, enters a card on Stripe's page and lands back on the site."""
    to_checkout = browser.session.get(setup_link, allow_redirects=False, timeout=10)
    assert to_checkout.status_code == 302, to_checkout.text[:500]
    paid = browser.pay_on_checkout(to_checkout.headers["Location"], card=card)
    assert paid.status_code == 303, paid.text[:1000]
    return browser.session.get(paid.headers["Location"], timeout=10)


def replace_card_in_portal(browser: ClientBrowser, update_link: str, card: str) -> requests.Response:
    portal = browser.session.get(update_link, allow_redirects=False, timeout=10)
    assert portal.status_code == 302, portal.text[:500]
    answer = browser.session.post(
        portal.headers["Location"],
        data={"cardnumber": card, "exp": "12 / 34", "cvc": "123", "name": "Ada Lovelace"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text[:1000]
    return answer


def advance_past_period_end(emulator, subscription: Subscription, clock_id: str, extra_seconds=3600) -> None:
    """Move the client's test clock just past the end of the current period, and let the webhooks land."""
    subscription.refresh_from_db()
    assert subscription.current_period_end is not None
    emulator.advance_clock(
        clock_id, frozen_time=int(subscription.current_period_end.timestamp()) + extra_seconds
    )
    emulator.wait_for_deliveries(timeout=20)


def advance(emulator, clock_id: str, seconds: int) -> None:
    emulator.advance_clock(clock_id, seconds=seconds)
    emulator.wait_for_deliveries(timeout=20)


def sent(tag: str) -> list:
    return [message for message in mail.outbox if tag in (getattr(message, "tags", None) or [])]


def money(value: str) -> Decimal:
    return Decimal(value)
