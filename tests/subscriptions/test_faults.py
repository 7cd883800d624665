"""Stripe delivers at least once and in no promised order: duplicated and reordered subscription events end in
the right state, with one invoice and one payment per cycle."""

from __future__ import annotations

import pytest
from django.core import mail

from caseflow_wagtail.models import (
    CycleStatus,
    EventOutcome,
    InvoicePage,
    Payment,
    StripeEvent,
    SubscriptionCycle,
    SubscriptionStatus,
)

from .conftest import advance_past_period_end, complete_setup, create_via_admin, sent, setup_link_from_admin

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIPTION_EVENTS = [
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
]
CYCLE_EVENTS = [*SUBSCRIPTION_EVENTS, "invoice.paid", "checkout.session.completed"]


def assert_one_invoice_and_payment_per_cycle(cycles: int) -> None:
    assert SubscriptionCycle.objects.filter(status=CycleStatus.PAID).count() == cycles
    assert InvoicePage.objects.count() == cycles
    assert Payment.objects.count() == cycles
    assert len(sent("payment-recorded")) == cycles
    for cycle in SubscriptionCycle.objects.select_related("invoice"):
        assert cycle.invoice.payments.count() == 1


def test_every_event_delivered_twice(firm, staff, clocked_client, client_browser, emulator):
    emulator.webhook_fault("duplicate", count=100, types=CYCLE_EVENTS)
    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    # Each copy goes out just after its first delivery succeeded: wait for the last copies too.
    emulator.wait_for_deliveries(
        lambda items: all(len(d["attempts"]) == 2 for d in items if d["type"] in CYCLE_EVENTS), timeout=20
    )

    duplicated = [d for d in emulator.deliveries() if d["type"] in CYCLE_EVENTS and len(d["attempts"]) == 2]
    assert any(d["type"] == "invoice.paid" for d in duplicated)
    assert any(d["type"] == "customer.subscription.updated" for d in duplicated)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert_one_invoice_and_payment_per_cycle(3)
    assert StripeEvent.objects.filter(type="invoice.paid", deliveries=2).count() == 3


def test_subscription_events_delivered_newest_first(firm, staff, clocked_client, client_browser, emulator):
    subscription = create_via_admin(staff, clocked_client.client)
    # The setup's subscription events (created: incomplete, then updated: active) arrive reversed.
    emulator.webhook_fault("reorder", count=2, types=SUBSCRIPTION_EVENTS)
    # The page the client lands on would link the subscription itself; only webhooks here.
    to_checkout = client_browser.session.get(
        setup_link_from_admin(staff, subscription), allow_redirects=False
    )
    assert client_browser.pay_on_checkout(to_checkout.headers["Location"]).status_code == 303
    deliveries = emulator.wait_for_deliveries(timeout=20)

    order = [d["type"] for d in sorted(deliveries, key=lambda d: min(a["at"] for a in d["attempts"]))]
    sub_events = [t for t in order if t.startswith("customer.subscription.")]
    assert sub_events == ["customer.subscription.updated", "customer.subscription.created"]
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE  # the older "incomplete" did not win
    assert_one_invoice_and_payment_per_cycle(1)


def test_a_cancel_then_a_late_older_update_stays_canceled(
    firm, staff, clocked_client, client_browser, emulator
):
    from django.urls import reverse

    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    # Schedule a cancellation, then cancel at once: the two events are delivered newest first.
    emulator.webhook_fault("reorder", count=2, types=SUBSCRIPTION_EVENTS)
    staff.post(reverse("caseflow_subscriptions:cancel", args=[subscription.pk]), {"when": "period_end"})
    staff.post(reverse("caseflow_subscriptions:cancel", args=[subscription.pk]), {"when": "now"})
    emulator.wait_for_deliveries(timeout=20)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    events = StripeEvent.objects.filter(type__startswith="customer.subscription.")
    assert all(event.outcome == EventOutcome.PROCESSED for event in events)
    assert_one_invoice_and_payment_per_cycle(1)
    assert mail.outbox  # the receipt of the first cycle


def test_a_late_created_event_does_not_undo_what_the_success_page_saw(
    firm, staff, clocked_client, client_browser, emulator
):
    # "created" (status incomplete) arrives a second after the client is back on the site, and the
    # "updated" (active) that would follow is lost: nothing newer comes to set it right.
    emulator.webhook_fault("delay", count=1, delay=1.5, types=["customer.subscription.created"])
    emulator.webhook_fault("drop", count=1, types=["customer.subscription.updated"])
    subscription = create_via_admin(staff, clocked_client.client)

    landing = complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    assert 'data-testid="status">Active<' in landing.text
    emulator.wait_for_deliveries(timeout=20)

    created = StripeEvent.objects.get(type="customer.subscription.created")
    assert created.outcome == EventOutcome.PROCESSED
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert_one_invoice_and_payment_per_cycle(1)
