"""A monthly retainer over real HTTP: created in the admin, set up by the client on Stripe's page, renewed by
the emulator's test clock, every charge an invoice with a receipt; a failing card, Past Due, a new card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from caseflow_wagtail.models import (
    CycleStatus,
    InvoiceStatus,
    Payment,
    PaymentGatewaySettings,
    Subscription,
    SubscriptionCycle,
    SubscriptionStatus,
)
from caseflow_wagtail.subscriptions import card_update_link

from .conftest import (
    FIRM_EMAIL,
    advance,
    advance_past_period_end,
    complete_setup,
    create_via_admin,
    replace_card_in_portal,
    sent,
    setup_link_from_admin,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_created_subscription_is_incomplete_with_a_setup_link_emailed_and_in_the_admin(
    firm, staff, clocked_client, emulator
):
    subscription = create_via_admin(staff, clocked_client.client)

    assert subscription.status == SubscriptionStatus.INCOMPLETE
    assert subscription.amount == Decimal("250.00")
    assert subscription.stripe_customer_id == clocked_client.client.stripe_customer_id  # reused
    link = setup_link_from_admin(staff, subscription)
    assert link.endswith(f"/billing/subscription/{subscription.public_token}/setup/")
    [email] = sent("subscription-setup")
    assert email.to == ["ada@acme.test"]
    assert link in email.body
    assert "$250.00" in email.body
    # Stripe got ids, amounts and the description; never the client's name or internal notes.
    for request in emulator.requests(method="POST"):
        text = repr(request.get("params"))
        assert "Acme Holdings" not in text
        assert "Babbage" not in text
    prices = [r for r in emulator.requests(method="POST") if r["path"] == "/v1/prices"]
    assert prices[0]["params"]["unit_amount"] in ("25000", 25000)
    assert prices[0]["params"]["recurring"]["interval"] == "month"


def test_three_monthly_cycles_make_three_paid_invoices_with_receipts(
    firm, staff, clocked_client, client_browser, emulator
):
    subscription = create_via_admin(staff, clocked_client.client)
    landing = complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    assert landing.status_code == 200
    assert "Active" in landing.text
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.stripe_subscription_id.startswith("sub_")
    assert (subscription.card_brand, subscription.card_last4) == ("visa", "4242")
    first_period_end = subscription.current_period_end
    assert SubscriptionCycle.objects.count() == 1  # the first cycle, charged at setup

    for _cycle in range(3):
        advance_past_period_end(emulator, subscription, clocked_client.clock_id)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end > first_period_end
    cycles = list(SubscriptionCycle.objects.order_by("period_start").select_related("invoice"))
    assert len(cycles) == 4
    renewals = cycles[1:]
    numbers = set()
    for cycle in renewals:
        assert cycle.status == CycleStatus.PAID
        invoice = cycle.invoice
        assert invoice.live and invoice.client_id == clocked_client.client.pk
        assert invoice.status == InvoiceStatus.PAID
        assert invoice.total == Decimal("250.00")
        [line] = invoice.lines.all()
        assert line.description.startswith("Retainer ")
        numbers.add(invoice.invoice_number)
        [payment] = Payment.objects.filter(invoice=invoice)
        assert payment.amount == Decimal("250.00")
        assert payment.stripe_payment_intent_id.startswith("pi_")
    assert len(numbers) == 3
    receipts = sent("payment-recorded")
    assert len(receipts) == 4  # the setup charge and the three renewals
    assert {r.metadata["invoice_id"] for r in receipts[1:]} == {str(c.invoice_id) for c in renewals}


def test_a_failing_card_makes_it_past_due_then_a_new_card_pays(
    firm, staff, clocked_client, client_browser, emulator, live_site
):
    PaymentGatewaySettings.objects.filter(site=live_site).update(allow_card_update=True)
    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    # The client's card is replaced by one that attaches but whose charges fail.
    update_link = card_update_link(subscription)
    assert update_link
    back = replace_card_in_portal(client_browser, update_link, "4000000000000341")
    assert back.headers["Location"].endswith(f"/billing/subscription/{subscription.public_token}/")
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    assert subscription.card_last4 == "0341"
    mail.outbox.clear()

    advance_past_period_end(emulator, subscription, clocked_client.clock_id)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    failed = SubscriptionCycle.objects.get(status=CycleStatus.FAILED)
    assert failed.invoice is None
    assert Payment.objects.count() == 1  # only the setup charge
    [to_client] = sent("subscription-payment-failed")
    assert to_client.to == ["ada@acme.test"]
    assert update_link in to_client.body
    [to_firm] = sent("subscription-payment-failed-firm")
    assert to_firm.to == [FIRM_EMAIL]
    assert "Acme Holdings" in to_firm.body
    listing = staff.get("/admin/billing/subscriptions/").content.decode()
    assert "Past Due" in listing

    # The client follows the email's link and puts in a working card; Stripe's retry then pays.
    replace_card_in_portal(client_browser, update_link, "4242424242424242")
    advance(emulator, clocked_client.clock_id, seconds=4 * 86400)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    failed.refresh_from_db()
    assert failed.status == CycleStatus.PAID
    assert failed.invoice.status == InvoiceStatus.PAID

    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    paid = SubscriptionCycle.objects.filter(status=CycleStatus.PAID).select_related("invoice")
    assert paid.count() == 3
    assert all(cycle.invoice.status == InvoiceStatus.PAID for cycle in paid)
    assert Subscription.objects.get().payment_failed_at is None


def test_a_payment_needing_authentication_emails_the_client_a_link(
    firm, staff, clocked_client, client_browser, emulator, live_site, stripe_client
):
    import stripe

    PaymentGatewaySettings.objects.filter(site=live_site).update(allow_card_update=True)
    subscription = create_via_admin(staff, clocked_client.client)
    complete_setup(client_browser, setup_link_from_admin(staff, subscription))
    emulator.wait_for_deliveries(timeout=20)
    subscription.refresh_from_db()
    replace_card_in_portal(client_browser, card_update_link(subscription), "4000002760003184")
    advance_past_period_end(emulator, subscription, clocked_client.clock_id)
    open_invoice = SubscriptionCycle.objects.get(status=CycleStatus.FAILED).stripe_invoice_id
    mail.outbox.clear()

    # Charged again with the client present (as from Stripe's dashboard): the bank wants the client.
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(open_invoice, params={"off_session": False})
    emulator.wait_for_deliveries(timeout=20)

    cycle = SubscriptionCycle.objects.get(stripe_invoice_id=open_invoice)
    assert cycle.status == CycleStatus.ACTION_REQUIRED
    [email] = sent("subscription-action-required")
    assert email.to == ["ada@acme.test"]
    # Stripe's hosted invoice page is where the client confirms the payment with the bank.
    hosted = stripe_client.v1.invoices.retrieve(open_invoice).hosted_invoice_url
    assert hosted and hosted in email.body
    assert Payment.objects.count() == 1
