"""A site taking card payments through the emulator, whose payments are then refunded or disputed in Stripe."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import Payment
from caseflow_wagtail.models.settings import BillingSettings
from tests.paynow import conftest as paynow

# The Pay Now fixtures, shared: a live site paying through the emulator, and a client with a browser.
client_browser = paynow.client_browser
fresh_rate_limits = paynow.fresh_rate_limits
live_site = paynow.live_site
online = paynow.online

BILLING_EMAIL = "accounts@firm.test"


@pytest.fixture
def firm(online, live_site):
    """Online payments on, and a billing contact to tell about refunds and disputes."""
    billing = BillingSettings.for_site(live_site)
    billing.billing_email = BILLING_EMAIL
    billing.save()
    return online


@pytest.fixture
def automatic(settings, stripe_settings):
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "RECORD_STRIPE_REFUNDS_AUTOMATICALLY": True}


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("finance", "finance@firm.test", "pw")
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def no_faults_left(emulator):
    yield
    emulator.clear_faults()


def pay(client_browser, emulator, invoice, *, success_page: bool = True) -> str:
    """The client pays the whole balance on the hosted page; returns the Checkout Session id."""
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]
    paid = client_browser.pay_on_checkout(checkout_url)
    assert paid.status_code == 303, paid.text
    if success_page:
        client_browser.session.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()
    return checkout_url.rsplit("/", 1)[-1]


def paid_payment(client_browser, emulator, invoice) -> Payment:
    pay(client_browser, emulator, invoice)
    payment = Payment.objects.get(invoice=invoice)
    assert payment.stripe_payment_intent_id.startswith("pi_")
    mail.outbox.clear()  # the receipt
    return payment


def notices(tag: str) -> list:
    return [message for message in mail.outbox if message.tags == [tag]]


def edit_url(invoice) -> str:
    return reverse("wagtailadmin_pages:edit", args=[invoice.pk])


def amount(value: str) -> Decimal:
    return Decimal(value)
