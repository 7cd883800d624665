"""On PostgreSQL: a payment that must be set aside (the invoice's currency changed while the client paid),
reported at the same instant by both of its events and the client's return to the success page, is kept
once, with one notice to the firm, and nothing is credited."""

from __future__ import annotations

import json

import requests
from django.core import mail

from caseflow_wagtail.models import EventOutcome, InvoicePage, Payment, StripeEvent, UnappliedPayment

from .test_concurrency import last_event, pytestmark, together, webhook  # noqa: F401 (fixture)

__all__ = ["pytestmark"]


def test_both_events_and_the_success_page_racing_set_the_payment_aside_once(
    webhook,  # noqa: F811
    online,
    make_invoice,
    client_browser,
    emulator,
):
    from caseflow_wagtail.models.settings import BillingSettings

    billing = BillingSettings.for_site(online.site)
    billing.billing_email = "accounts@firm.test"
    billing.save()
    invoice = make_invoice(lines=[("Advice", "1", "300.00", None)], currency="USD")
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]
    # The currency changes while the page is open and Stripe cannot be reached to close it.
    emulator.fail_next("/v1/checkout/sessions/*", status=500, count=5, method="POST")
    page = InvoicePage.objects.get(pk=invoice.pk)
    page.currency = "EUR"
    page.save_revision().publish()
    emulator.clear_faults()
    emulator.webhook_fault("drop", count=1000)
    success_url = client_browser.pay_on_checkout(checkout_url).headers["Location"]
    completed = webhook.body(last_event(emulator, "checkout.session.completed"))
    succeeded = webhook.body(last_event(emulator, "payment_intent.succeeded"))
    mail.outbox.clear()
    http = [requests.Session() for _ in range(4)]

    results = together(
        lambda: webhook.post(completed, http[0]),
        lambda: webhook.post(completed, http[1]),
        lambda: webhook.post(succeeded, http[2]),
        lambda: http[3].get(success_url, timeout=60),
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert [r.status_code for r in results] == [200, 200, 200, 200]
    assert "payment was received" in results[3].text
    (kept,) = UnappliedPayment.objects.all()
    assert kept.stripe_checkout_session_id == json.loads(completed)["data"]["object"]["id"]
    assert not Payment.objects.exists()
    assert not StripeEvent.objects.filter(outcome=EventOutcome.FAILED).exists()
    assert [m.tags for m in mail.outbox] == [["stripe-unapplied"]]
