"""Cancelling: Stripe first, then Stripe's answer stored; at period end nothing more is charged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from caseflow_wagtail.audit import CANCEL_SCHEDULED, CANCEL_UNDONE, CANCELED
from caseflow_wagtail.models import Subscription, SubscriptionCycle, SubscriptionStatus

from .conftest import advance_past_period_end, complete_setup, create_via_admin, setup_link_from_admin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def active(firm, staff, clocked_client, client_browser, emulator) -> Subscription:
    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    return subscription


def actions(subscription) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(subscription)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def test_cancel_at_period_end_charges_nothing_more(active, staff, stripe_client, emulator, clocked_client):
    url = reverse("caseflow_subscriptions:cancel", args=[active.pk])
    confirmation = staff.get(url)
    assert confirmation.status_code == 200
    assert "At the end of the current period" in confirmation.content.decode()

    assert staff.post(url, {"when": "period_end"}).status_code == 302

    active.refresh_from_db()
    assert active.cancel_at_period_end is True  # Stripe's answer, before any webhook
    assert active.next_charge_at is None
    assert stripe_client.v1.subscriptions.retrieve(active.stripe_subscription_id).cancel_at_period_end is True
    assert CANCEL_SCHEDULED in actions(active)
    emulator.wait_for_deliveries(timeout=20)

    advance_past_period_end(emulator, active, clocked_client.clock_id)
    advance_past_period_end(emulator, active, clocked_client.clock_id, extra_seconds=40 * 86400)

    active.refresh_from_db()
    assert active.status == SubscriptionStatus.CANCELED
    assert SubscriptionCycle.objects.count() == 1  # only the first cycle, paid at setup


def test_a_pending_cancellation_can_be_undone(active, staff, stripe_client, emulator, clocked_client):
    staff.post(reverse("caseflow_subscriptions:cancel", args=[active.pk]), {"when": "period_end"})
    detail = staff.get(reverse("caseflow_subscriptions:inspect", args=[active.pk])).content.decode()
    undo = reverse("caseflow_subscriptions:undo_cancel", args=[active.pk])
    assert undo in detail

    assert staff.post(undo).status_code == 302

    active.refresh_from_db()
    assert active.cancel_at_period_end is False
    assert (
        stripe_client.v1.subscriptions.retrieve(active.stripe_subscription_id).cancel_at_period_end is False
    )
    assert actions(active)[-1] == CANCEL_UNDONE
    emulator.wait_for_deliveries(timeout=20)
    advance_past_period_end(emulator, active, clocked_client.clock_id)
    active.refresh_from_db()
    assert active.status == SubscriptionStatus.ACTIVE
    assert SubscriptionCycle.objects.count() == 2


def test_immediate_cancel_is_canceled_at_once(active, staff, stripe_client, emulator):
    response = staff.post(reverse("caseflow_subscriptions:cancel", args=[active.pk]), {"when": "now"})
    assert response.status_code == 302

    active.refresh_from_db()
    assert active.status == SubscriptionStatus.CANCELED
    assert active.canceled_at is not None
    assert stripe_client.v1.subscriptions.retrieve(active.stripe_subscription_id).status == "canceled"
    assert CANCELED in actions(active)
    emulator.wait_for_deliveries(timeout=20)
    active.refresh_from_db()
    assert active.status == SubscriptionStatus.CANCELED
    detail = staff.get(reverse("caseflow_subscriptions:inspect", args=[active.pk])).content.decode()
    assert reverse("caseflow_subscriptions:cancel", args=[active.pk]) not in detail


def test_stripe_refusing_a_cancel_changes_nothing(active, staff, emulator):
    emulator.fail_next(
        path=f"/v1/subscriptions/{active.stripe_subscription_id}", method="DELETE", status=400, count=1
    )

    response = staff.post(
        reverse("caseflow_subscriptions:cancel", args=[active.pk]), {"when": "now"}, follow=True
    )

    assert "Stripe" in response.content.decode()
    active.refresh_from_db()
    assert active.status == SubscriptionStatus.ACTIVE
    assert CANCELED not in actions(active)
