"""Webhook health: refused signatures and processing errors are visible, and a failed event can be retried."""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal

import pytest
import requests
import stripe
from django.urls import reverse
from django.utils import timezone

from caseflow_wagtail.models import (
    CheckoutSession,
    EventOutcome,
    InvoicePage,
    Payment,
    StripeEvent,
    UnappliedPayment,
    UnappliedReason,
    WebhookRefusal,
)
from caseflow_wagtail.payments import fulfilment
from caseflow_wagtail.views.gateway import webhook_endpoint_url

from .conftest import pay

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_event(stripe_id: str) -> StripeEvent:
    """The event as stored once its delivery was answered (it fails, so Stripe keeps retrying it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row = StripeEvent.objects.filter(stripe_id=stripe_id).first()
        if row is not None:
            return row
        time.sleep(0.05)
    raise AssertionError(f"{stripe_id} never arrived")


def test_the_health_screen_shows_a_refused_signature_and_a_processing_error_that_retry_fixes(
    firm, live_site, make_invoice, client_browser, emulator, staff, monkeypatch
):
    # A delivery signed with the wrong secret, over HTTP to the site's real endpoint.
    body = json.dumps({"id": "evt_forged", "object": "event", "type": "checkout.session.completed"})
    forged = stripe.WebhookSignature.generate_signature_header(
        body, "whsec_not_ours", timestamp=int(time.time())
    )
    refused = requests.post(
        webhook_endpoint_url(live_site),
        data=body,
        headers={"Stripe-Signature": forged, "Content-Type": "application/json"},
        timeout=10,
    )
    assert refused.status_code == 400
    assert WebhookRefusal.objects.get().count == 1
    assert not StripeEvent.objects.filter(stripe_id="evt_forged").exists()

    # A payment whose invoice changed currency after the client paid: recorded at once, set aside for staff
    # (it used to fail for good, and wait for someone to change the currency back and retry).
    invoice = make_invoice(lines=[("Work", "1", "75.00", None)])
    emulator.webhook_fault("drop", count=1000)
    session_id = pay(client_browser, emulator, invoice, success_page=False)
    emulator.clear_faults()
    InvoicePage.objects.filter(pk=invoice.pk).update(currency="EUR")
    [completed] = [
        event
        for event in emulator.stripe_client()
        .v1.events.list(params={"type": "checkout.session.completed"})
        .data
        if event.data.object.id == session_id
    ]
    emulator.resend_event(completed.id)
    processed = wait_for_event(completed.id)
    emulator.webhook_fault("drop", count=1000)
    assert processed.outcome == EventOutcome.PROCESSED
    assert Payment.objects.count() == 0
    kept = UnappliedPayment.objects.get()
    assert kept.reason == UnappliedReason.CURRENCY_CHANGED and "EUR" in kept.detail

    screen = staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    assert "Enabled in Stripe" in screen
    assert 'class="caseflow-signature-failures">1' in screen
    assert "No signing secret matches" in screen
    assert "Payments needing review" in screen and "$75.00" in screen

    # A processing error (here injected into the site's own handler) is shown, and retry fixes it.
    second = make_invoice(lines=[("Work", "1", "40.00", None)])
    monkeypatch.setattr(fulfilment, "record_checkout_session", broken)
    emulator.clear_faults()
    emulator.webhook_fault("drop", count=1000, types=["payment_intent.succeeded"])
    second_session = pay(client_browser, emulator, second, success_page=False)
    emulator.webhook_fault("drop", count=1000)
    [failed] = StripeEvent.objects.filter(outcome=EventOutcome.FAILED, object_id=second_session)
    assert "injected" in failed.error
    screen = staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    assert 'class="caseflow-failed-count">1' in screen
    assert failed.stripe_id in screen and "injected" in screen
    assert "Retry processing" in screen

    # Still broken: retrying says so and changes nothing.
    staff.post(reverse("caseflow_webhook_health:retry_event", args=[failed.pk]))
    assert Payment.objects.count() == 0

    monkeypatch.undo()
    retried = staff.post(reverse("caseflow_webhook_health:retry_event", args=[failed.pk]), follow=True)

    assert f"Event {failed.stripe_id} processed." in retried.content.decode()
    failed.refresh_from_db()
    assert failed.outcome == EventOutcome.PROCESSED and failed.error == ""
    assert Payment.objects.get().amount == Decimal("40.00")
    assert 'class="caseflow-failed-count">0' in retried.content.decode()


def broken(*args, **kwargs):
    raise ValueError("injected: a handler bug")


def test_a_success_page_with_no_event_after_it_is_flagged(
    firm, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice()
    emulator.webhook_fault("drop", count=1000)
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]
    # The client came back from a page that never took the card: no event can follow.
    client_browser.session.get(
        f"{client_browser.base_url}/billing/invoice/{invoice.public_token}/paid/"
        f"?session_id={checkout_url.rsplit('/', 1)[-1]}",
        timeout=10,
    )
    session = CheckoutSession.objects.get()
    assert session.success_page_seen_at is not None
    CheckoutSession.objects.filter(pk=session.pk).update(
        success_page_seen_at=timezone.now() - datetime.timedelta(minutes=30)
    )

    screen = staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    assert "Payments Stripe has not confirmed" in screen
    assert invoice.invoice_number in screen
    dashboard = staff.get(reverse("wagtailadmin_home")).content.decode()
    assert "Stripe webhooks" in dashboard
    assert "Payments reached the success page with no event from Stripe" in dashboard


def test_sync_from_stripe_button_reports_what_it_did(firm, make_invoice, client_browser, emulator, staff):
    invoice = make_invoice(lines=[("Work", "1", "60.00", None)])
    emulator.webhook_fault("drop", count=1000)
    pay(client_browser, emulator, invoice, success_page=False)
    emulator.clear_faults()

    page = staff.post(reverse("caseflow_webhook_health:sync"), follow=True).content.decode()

    assert "Sync from Stripe finished." in page
    assert "Recorded: 1 payments" in page
    assert Payment.objects.get().amount == Decimal("60.00")


def test_health_needs_the_payment_gateways_permission(firm, client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    clerk = get_user_model().objects.create_user("clerk", "clerk@firm.test", "pw")
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)

    assert client.get(reverse("caseflow_webhook_health:index")).status_code == 403
    assert client.post(reverse("caseflow_webhook_health:sync")).status_code == 403
    assert "Stripe webhooks" not in client.get(reverse("wagtailadmin_home")).content.decode()
