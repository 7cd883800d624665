"""The set-up return page: a client back from Checkout before Stripe's webhook finds the retainer set up,
and only the session stored for that retainer is ever confirmed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow_wagtail.models import Client, SubscriptionStatus

from .conftest import complete_setup, create_via_admin, setup_link_from_admin

pytestmark = pytest.mark.django_db(transaction=True)


def session_reads(emulator) -> list[dict]:
    return [r for r in emulator.requests(method="GET") if r["path"].startswith("/v1/checkout/sessions/")]


def test_back_before_the_webhook_the_retainer_is_linked_from_stripes_answer(
    firm, staff, clocked_client, client_browser, emulator
):
    subscription = create_via_admin(staff, clocked_client.client)
    emulator.webhook_fault("drop", count=1000)

    landing = complete_setup(client_browser, setup_link_from_admin(staff, subscription))

    assert landing.status_code == 200
    assert "your card is saved and the retainer is set up" in landing.text
    assert {d["status"] for d in emulator.deliveries()} <= {"dropped"}
    subscription.refresh_from_db()
    assert subscription.stripe_subscription_id.startswith("sub_")
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert (subscription.card_brand, subscription.card_last4) == ("visa", "4242")


def test_a_session_id_that_is_not_the_retainers_is_never_asked_about(firm, staff, clocked_client, emulator):
    subscription = create_via_admin(staff, clocked_client.client)
    other_client = Client.objects.create(name="Beta Ltd", contact_name="Bea", contact_email="bea@beta.test")
    other = create_via_admin(staff, other_client)
    url = reverse("caseflow_wagtail:subscription_setup_done", kwargs={"token": subscription.public_token})

    response = staff.get(url, {"session_id": other.stripe_checkout_session_id})

    assert response.status_code == 302
    assert session_reads(emulator) == []
    subscription.refresh_from_db()
    assert subscription.stripe_subscription_id == ""
    assert subscription.status == SubscriptionStatus.INCOMPLETE
