"""Creating a subscription: the client's Stripe customer and the price are made once and reused; bad terms
and Stripe's refusals are form errors that keep nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow_wagtail.models import Client, Subscription

from .conftest import create_via_admin

pytestmark = pytest.mark.django_db(transaction=True)


def posts(emulator, path: str) -> list[dict]:
    return [r for r in emulator.requests(method="POST") if r["path"] == path and r["status"] == 200]


def test_the_customer_is_created_once_and_the_price_reused_for_the_same_terms(firm, staff, online, emulator):
    client = Client.objects.create(name="Beta Ltd", contact_name="Bea", contact_email="bea@beta.test")

    first = create_via_admin(staff, client)
    client.refresh_from_db()
    assert client.stripe_customer_id.startswith("cus_")
    assert first.stripe_customer_id == client.stripe_customer_id
    [customer] = posts(emulator, "/v1/customers")
    assert customer["params"]["email"] == "bea@beta.test"
    assert "Beta" not in repr(customer["params"])

    second = staff.post(
        reverse("caseflow_subscriptions:add"),
        {
            "client": client.pk,
            "amount": "250.00",
            "currency": "USD",
            "interval": "monthly",
            "description": "Monthly retainer",
        },
    )
    assert second.status_code == 302
    [a, b] = Subscription.objects.order_by("pk")
    assert b.stripe_customer_id == a.stripe_customer_id
    assert (b.stripe_product_id, b.stripe_price_id) == (a.stripe_product_id, a.stripe_price_id)
    assert len(posts(emulator, "/v1/customers")) == 1
    assert len(posts(emulator, "/v1/prices")) == 1
    assert len(posts(emulator, "/v1/checkout/sessions")) == 2
    [session] = posts(emulator, "/v1/checkout/sessions")[:1]
    assert session["params"]["mode"] == "subscription"
    assert session["params"]["customer"] == client.stripe_customer_id


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("0.10", "USD", "The smallest card charge is $0.50."),
        ("10.001", "USD", "USD amounts have at most 2 decimal places."),
        ("100.00", "EUR", "Select a valid choice."),
    ],
)
def test_bad_terms_are_form_errors(firm, staff, clocked_client, emulator, amount, currency, message):
    response = staff.post(
        reverse("caseflow_subscriptions:add"),
        {
            "client": clocked_client.client.pk,
            "amount": amount,
            "currency": currency,
            "interval": "monthly",
            "description": "Monthly retainer",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscription.objects.exists()
    assert not posts(emulator, "/v1/prices")


def test_stripe_refusing_keeps_nothing_and_says_why(firm, staff, clocked_client, emulator):
    emulator.fail_next(path="/v1/prices", method="POST", status=400, count=1)

    response = staff.post(
        reverse("caseflow_subscriptions:add"),
        {
            "client": clocked_client.client.pk,
            "amount": "250.00",
            "currency": "USD",
            "interval": "quarterly",
            "description": "Quarterly retainer",
        },
    )

    assert response.status_code == 200
    assert "Stripe refused the request" in response.content.decode()
    assert not Subscription.objects.exists()


def test_quarterly_and_yearly_prices(firm, staff, clocked_client, emulator):
    create_via_admin(staff, clocked_client.client, interval="quarterly")
    Subscription.objects.all().delete()
    create_via_admin(staff, clocked_client.client, interval="yearly", amount="1200.00")
    recurring = [p["params"]["recurring"] for p in posts(emulator, "/v1/prices")]
    assert [(r["interval"], str(r["interval_count"])) for r in recurring] == [("month", "3"), ("year", "1")]


def test_the_client_pages_answer_404_to_unknown_tokens_and_send_a_set_up_client_to_their_page(
    firm, staff, clocked_client, client_browser
):
    subscription = create_via_admin(staff, clocked_client.client)
    base = client_browser.base_url
    for path in ("/billing/subscription/nope/", "/billing/subscription/nope/setup/"):
        assert client_browser.session.get(base + path, timeout=10).status_code == 404
    page = client_browser.session.get(
        base + f"/billing/subscription/{subscription.public_token}/", timeout=10
    )
    assert page.status_code == 200
    assert "Set up card payments" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    Subscription.objects.filter(pk=subscription.pk).update(status="active")
    setup = client_browser.session.get(
        base + f"/billing/subscription/{subscription.public_token}/setup/", allow_redirects=False, timeout=10
    )
    assert setup.status_code == 302
    assert setup.headers["Location"] == f"/billing/subscription/{subscription.public_token}/"


def test_the_setup_link_can_be_emailed_again_until_the_client_has_set_up(firm, staff, clocked_client):
    from django.core import mail
    from wagtail.models import ModelLogEntry

    from caseflow_wagtail.audit import SETUP_SENT

    subscription = create_via_admin(staff, clocked_client.client)
    detail = staff.get(reverse("caseflow_subscriptions:inspect", args=[subscription.pk])).content.decode()
    resend = reverse("caseflow_subscriptions:send_setup", args=[subscription.pk])
    assert resend in detail

    assert staff.post(resend).status_code == 302

    setups = [m for m in mail.outbox if m.tags == ["subscription-setup"]]
    assert len(setups) == 2
    assert ModelLogEntry.objects.for_instance(subscription).filter(action=SETUP_SENT).count() == 2
    Subscription.objects.filter(pk=subscription.pk).update(status="active")
    staff.post(resend)
    assert len([m for m in mail.outbox if m.tags == ["subscription-setup"]]) == 2
