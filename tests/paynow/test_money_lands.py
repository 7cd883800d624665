"""Money never lands on the wrong invoice, and money taken is never left unrecorded (issue 11, defects 1, 2, 3 and 5).

Two sites with their own Stripe accounts, keys, currencies and settings; real HTTP both ways, real
signatures, the emulator as Stripe.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import (
    CheckoutSession,
    CheckoutStatus,
    EventOutcome,
    InvoicePage,
    Payment,
    StripeEvent,
    UnappliedPayment,
    UnappliedReason,
    UnappliedStatus,
)
from caseflow_wagtail.payments.fulfilment import checkout_metadata
from tests.reconciliation.confirm_pages import confirm

from . import two_sites
from .two_sites import (
    SITE_B_KEY,
    invoice_on,
    open_at,
    paid_session_event,
    pay_now_at,
    signed_post,
)

# The two sites, shared as fixtures.
site_a = two_sites.site_a
site_b = two_sites.site_b

pytestmark = pytest.mark.django_db(transaction=True)


def pay_on_hosted_page(url: str, http=requests) -> requests.Response:
    """Type the test card on the emulator's hosted Checkout page, as a client would; not followed."""
    card = {
        "cardnumber": "4242424242424242",
        "exp": "12 / 34",
        "cvc": "123",
        "name": "X",
        "email": "x@x.test",
    }
    return http.post(url, data=card, allow_redirects=False, timeout=10)


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("finance", "finance@alpha.test", "pw")
    client.force_login(user)
    return client


def unapplied_notices() -> list:
    return [message for message in mail.outbox if message.tags == ["stripe-unapplied"]]


# -- 1. one site's webhook, another site's invoice ----------------------------------------------------------


@pytest.mark.parametrize("direction", ["a-names-b", "b-names-a"])
def test_an_event_one_site_receives_never_credits_another_sites_invoice(
    site_a, site_b, billing_client, direction
):
    on_a = invoice_on(site_a, billing_client, amount="300.00", currency="GBP", number="A-1")
    on_b = invoice_on(site_b, billing_client, amount="300.00", currency="USD", number="B-1")
    receiver, victim = (site_a, on_b) if direction == "a-names-b" else (site_b, on_a)
    # Signed with the receiving site's own secret, naming that site and the other site's invoice.
    metadata = {**checkout_metadata(victim, receiver)}
    event = paid_session_event("cs_forged_" + direction, metadata, 30000, victim.currency)

    response = signed_post(receiver, event)

    assert response.status_code == 200
    victim.refresh_from_db()
    assert victim.amount_paid == 0 and victim.balance == Decimal("300.00")
    assert not Payment.objects.exists()
    (kept,) = UnappliedPayment.objects.all()
    assert kept.site == receiver and kept.invoice is None and kept.client is None
    assert kept.reason == UnappliedReason.UNKNOWN_SESSION and kept.status == UnappliedStatus.NEEDS_REVIEW
    assert StripeEvent.objects.get().outcome == EventOutcome.PROCESSED
    # The receiving site's firm is told; the other site's is not.
    (notice,) = unapplied_notices()
    firm = "accounts@alpha.test" if receiver == site_a else "accounts@beta.test"
    assert notice.to == [firm]


def test_a_paid_session_the_plugin_never_opened_is_set_aside_shown_and_applied_once(
    site_a, emulator, billing_client, staff
):
    invoice = invoice_on(site_a, billing_client, amount="120.00", currency="GBP", number="A-7")
    # Someone with the account opens a session by hand, copying the plugin's metadata for a real invoice.
    foreign = emulator.stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {"currency": "gbp", "unit_amount": 12000, "product_data": {"name": "x"}},
                }
            ],
            "metadata": checkout_metadata(invoice, site_a),
            "payment_intent_data": {"metadata": checkout_metadata(invoice, site_a)},
            "success_url": "https://example.test/ok",
        }
    )
    paid = pay_on_hosted_page(foreign.url, requests)
    assert paid.status_code == 303
    emulator.wait_for_deliveries()

    invoice.refresh_from_db()
    assert invoice.amount_paid == 0 and not Payment.objects.exists()
    (kept,) = UnappliedPayment.objects.all()
    assert kept.reason == UnappliedReason.UNKNOWN_SESSION
    assert kept.amount == Decimal("120.00") and kept.currency == "GBP"
    assert kept.invoice == invoice and kept.client == billing_client
    assert kept.stripe_payment_intent_id.startswith("pi_")
    assert len(unapplied_notices()) == 1
    health = staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    assert "Payments needing review" in health and "£120.00" in health
    dashboard = staff.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 payment taken by Stripe needs review" in dashboard

    # Staff decide it is this invoice's after all: applied once, with Stripe's ids, whatever the clicks.
    apply = reverse("caseflow_reconciliation:apply_unapplied", args=[kept.pk])
    confirm(staff, apply, {"invoice_number": "A-7"})
    again = confirm(staff, apply, {"invoice_number": "A-7"}, follow=True)
    assert "already resolved" in again.content.decode()
    payment = Payment.objects.get()
    assert payment.invoice_id == invoice.pk and payment.amount == Decimal("120.00")
    assert payment.stripe_payment_intent_id == kept.stripe_payment_intent_id
    kept.refresh_from_db()
    assert kept.status == UnappliedStatus.APPLIED and kept.applied_payment == payment
    assert (
        "Payments needing review" not in staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    )


def test_an_unapplied_payment_is_only_applied_to_an_invoice_of_its_currency_or_marked_refunded(
    site_a, billing_client, staff
):
    gbp = invoice_on(site_a, billing_client, amount="50.00", currency="GBP", number="A-20")
    invoice_on(site_a, billing_client, amount="50.00", currency="EUR", number="A-21")
    signed_post(site_a, paid_session_event("cs_unknown_1", checkout_metadata(gbp, site_a), 5000, "GBP"))
    kept = UnappliedPayment.objects.get()

    refused = confirm(
        staff,
        reverse("caseflow_reconciliation:apply_unapplied", args=[kept.pk]),
        {"invoice_number": "A-21"},
        follow=True,
    )
    assert "cannot be recorded against it" in refused.content.decode()
    assert not Payment.objects.exists()

    confirm(staff, reverse("caseflow_reconciliation:refund_unapplied", args=[kept.pk]))
    kept.refresh_from_db()
    assert kept.status == UnappliedStatus.REFUNDED and not Payment.objects.exists()


# -- 2. which site an invoice belongs to ------------------------------------------------------------------


def test_an_invoice_opened_under_another_sites_address_is_offered_and_charged_by_its_own_site(
    site_a, site_b, emulator, billing_client, live_server
):
    invoice = invoice_on(site_b, billing_client, amount="80.00", currency="USD", number="B-9")
    http = requests.Session()
    alpha_root = site_a.root_url  # not the invoice's site

    page = open_at(http, alpha_root, invoice)

    # Site B's settings: its firm, its currency (A takes GBP only), no amount field (A allows one).
    assert page.status_code == 200
    assert "Beta Legal" in page.text and "Alpha Law" not in page.text
    assert 'name="amount"' not in page.text
    clicked = pay_now_at(http, alpha_root, invoice)
    assert clicked.status_code == 302
    session = CheckoutSession.objects.get()
    assert session.site == site_b and session.currency == "USD"
    # Opened in site B's Stripe account, not A's.
    beta = emulator.stripe_client().__class__(SITE_B_KEY, base_addresses={"api": emulator.base_url})
    assert beta.v1.checkout.sessions.retrieve(session.stripe_id).amount_total == 8000

    paid = pay_on_hosted_page(clicked.headers["Location"], http)
    assert http.get(paid.headers["Location"], timeout=10).status_code == 200
    emulator.wait_for_deliveries()
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("80.00") and invoice.balance == 0
    assert not UnappliedPayment.objects.exists()


# -- 3. the currency changes while the Checkout page is open -------------------------------------------


def test_republishing_in_another_currency_first_closes_the_open_checkout_page(
    site_a, emulator, billing_client
):
    invoice = invoice_on(site_a, billing_client, amount="300.00", currency="GBP", number="A-30")
    http = requests.Session()
    checkout_url = pay_now_at(http, site_a.root_url, invoice).headers["Location"]
    session = CheckoutSession.objects.get()

    invoice.currency = "EUR"
    invoice.save_revision().publish()

    assert emulator.stripe_client().v1.checkout.sessions.retrieve(session.stripe_id).status == "expired"
    session.refresh_from_db()
    assert session.status == CheckoutStatus.EXPIRED
    refused = pay_on_hosted_page(checkout_url, http)
    assert refused.status_code != 303  # nothing charged
    emulator.wait_for_deliveries()
    assert not Payment.objects.exists() and not UnappliedPayment.objects.exists()


def test_a_payment_in_the_old_currency_that_still_arrives_is_recorded_within_one_delivery(
    site_a, emulator, billing_client, staff
):
    invoice = invoice_on(site_a, billing_client, amount="300.00", currency="GBP", number="A-31")
    http = requests.Session()
    checkout_url = pay_now_at(http, site_a.root_url, invoice).headers["Location"]
    # Stripe cannot be reached to close the page: the change goes ahead, the page stays open.
    emulator.fail_next("/v1/checkout/sessions/*", status=500, count=5, method="POST")
    InvoicePage.objects.get(pk=invoice.pk)
    invoice.currency = "EUR"
    invoice.save_revision().publish()
    emulator.clear_faults()

    paid = pay_on_hosted_page(checkout_url, http)
    assert paid.status_code == 303
    confirmation = http.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()

    # The client is told it was received, never a 500.
    assert confirmation.status_code == 200
    assert "payment was received" in confirmation.text
    # Every delivery answered 200 the first time: no retry loop.
    for delivery in emulator.deliveries():
        assert [attempt["status"] for attempt in delivery["attempts"]] == [200], delivery["type"]
    assert not StripeEvent.objects.filter(outcome=EventOutcome.FAILED).exists()
    invoice.refresh_from_db()
    assert invoice.currency == "EUR" and invoice.amount_paid == 0
    (kept,) = UnappliedPayment.objects.all()
    assert kept.reason == UnappliedReason.CURRENCY_CHANGED
    assert kept.amount == Decimal("300.00") and kept.currency == "GBP"
    assert kept.client == billing_client and kept.invoice == invoice
    assert len(unapplied_notices()) == 1
    screen = staff.get(reverse("caseflow_reconciliation:index")).content.decode()
    assert "£300.00" in screen and "Apply to invoice" in screen and "Refunded in Stripe" in screen


# -- 5. void while a session is open ---------------------------------------------------------------------


def test_voiding_closes_the_open_checkout_page(site_a, emulator, billing_client, staff):
    invoice = invoice_on(site_a, billing_client, amount="90.00", currency="GBP", number="A-50")
    http = requests.Session()
    pay_now_at(http, site_a.root_url, invoice)
    session = CheckoutSession.objects.get()

    staff.post(reverse("caseflow_wagtail_admin:void_invoice", args=[invoice.pk]), {"reason": "Sent in error"})

    invoice.refresh_from_db()
    assert invoice.voided_at is not None
    assert emulator.stripe_client().v1.checkout.sessions.retrieve(session.stripe_id).status == "expired"
    # Expiring the session sends checkout.session.expired: it lands before the database is emptied.
    emulator.wait_for_deliveries()


def test_a_late_payment_on_a_void_invoice_is_recorded_and_flagged_for_refund(
    site_a, emulator, billing_client, staff
):
    invoice = invoice_on(site_a, billing_client, amount="90.00", currency="GBP", number="A-51")
    http = requests.Session()
    checkout_url = pay_now_at(http, site_a.root_url, invoice).headers["Location"]
    emulator.fail_next("/v1/checkout/sessions/*", status=500, count=5, method="POST")
    voided = staff.post(
        reverse("caseflow_wagtail_admin:void_invoice", args=[invoice.pk]),
        {"reason": "Sent in error"},
        follow=True,
    )
    emulator.clear_faults()
    assert "kept for refund" in voided.content.decode()

    paid = pay_on_hosted_page(checkout_url, http)
    assert paid.status_code == 303
    emulator.wait_for_deliveries()

    invoice.refresh_from_db()
    assert invoice.amount_paid == 0 and not Payment.objects.exists()
    (kept,) = UnappliedPayment.objects.all()
    assert kept.reason == UnappliedReason.INVOICE_VOID and kept.amount == Decimal("90.00")
    assert "refund it" in str(kept.get_reason_display())
    assert "Payments needing review" in staff.get(reverse("caseflow_webhook_health:index")).content.decode()

    # The firm refunds it in the Stripe dashboard: Stripe's refund event resolves it.
    emulator.refund(payment_intent=kept.stripe_payment_intent_id)
    emulator.wait_for_deliveries()
    kept.refresh_from_db()
    assert kept.status == UnappliedStatus.REFUNDED
    assert (
        "Payments needing review" not in staff.get(reverse("caseflow_webhook_health:index")).content.decode()
    )


def test_republishing_with_another_total_first_closes_the_open_checkout_page(
    site_a, emulator, billing_client
):
    invoice = invoice_on(site_a, billing_client, amount="300.00", currency="GBP", number="A-32")
    http = requests.Session()
    pay_now_at(http, site_a.root_url, invoice)
    session = CheckoutSession.objects.get()
    unchanged = InvoicePage.objects.get(pk=invoice.pk)
    unchanged.notes = "Only the notes change."
    unchanged.save_revision().publish()
    assert emulator.stripe_client().v1.checkout.sessions.retrieve(session.stripe_id).status == "open"

    repriced = InvoicePage.objects.get(pk=invoice.pk)
    line = repriced.lines.get()
    line.unit_price = Decimal("200.00")
    repriced.lines = [line]
    repriced.save_revision().publish()

    assert emulator.stripe_client().v1.checkout.sessions.retrieve(session.stripe_id).status == "expired"
    # The client's next click opens a page for the new total.
    pay_now_at(http, site_a.root_url, invoice)
    assert CheckoutSession.objects.filter(status=CheckoutStatus.OPEN).get().amount == Decimal("200.00")
