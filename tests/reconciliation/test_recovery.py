"""Sync from Stripe: payments and refunds whose webhooks were lost are recorded once, however often it runs."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from caseflow_wagtail.models import (
    Adjustment,
    CheckoutSession,
    CheckoutStatus,
    Payment,
    PaymentSource,
    StripeRefund,
    SyncRun,
)
from caseflow_wagtail.reconciliation import recovery
from caseflow_wagtail.tasks import sync_from_stripe

from .conftest import pay

pytestmark = pytest.mark.django_db(transaction=True)


def sync_command() -> str:
    out = StringIO()
    call_command("caseflow_sync_stripe", stdout=out)
    return out.getvalue()


def test_the_command_recovers_dropped_payments_and_a_refund_exactly_once(
    firm, automatic, make_invoice, client_browser, emulator
):
    invoices = [make_invoice(lines=[("Work", "1", price, None)]) for price in ("100.00", "200.00", "300.00")]
    emulator.webhook_fault("drop", count=1000)
    for invoice in invoices:
        # The client never comes back to the success page either: only Stripe knows they paid.
        pay(client_browser, emulator, invoice, success_page=False)
    intent = (
        emulator.stripe_client()
        .v1.checkout.sessions.retrieve(CheckoutSession.objects.get(invoice=invoices[1]).stripe_id)
        .payment_intent
    )
    refund = emulator.refund(payment_intent=intent, amount=5000)
    emulator.wait_for_deliveries()
    assert {d["status"] for d in emulator.deliveries()} == {"dropped"}
    assert Payment.objects.count() == 0
    emulator.clear_faults()

    first = sync_command()

    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("300.00"),
    ]
    assert StripeRefund.objects.get().stripe_id == refund["id"]
    adjustment = Adjustment.objects.get()
    assert (adjustment.amount, adjustment.stripe_refund_id) == (Decimal("50.00"), refund["id"])
    assert "Recorded: 3 payments, 1 Stripe refunds, 1 adjustments." in first
    for invoice in invoices:
        invoice.refresh_from_db()
    assert [invoice.balance for invoice in invoices] == [Decimal("0.00"), Decimal("50.00"), Decimal("0.00")]

    second = sync_command()

    assert Payment.objects.count() == 3
    assert StripeRefund.objects.count() == 1 and Adjustment.objects.count() == 1
    assert "Recorded: 0 payments, 0 Stripe refunds, 0 adjustments." in second
    assert "0 failed" in second
    assert SyncRun.objects.count() == 2


def test_an_open_session_paid_without_any_event_is_recorded_by_the_session_check(
    firm, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Work", "1", "120.00", None)])
    emulator.webhook_fault("drop", count=1000)
    pay(client_browser, emulator, invoice, success_page=False)
    emulator.clear_faults()
    site = firm.site
    assert CheckoutSession.objects.get().status == CheckoutStatus.OPEN

    # Only the session check runs here, as when the events are older than Stripe keeps.
    report = recovery.SyncReport(site_id=site.pk)
    from caseflow_wagtail.stripe_api import StripeGateway

    recovery._check_sessions(site, StripeGateway(firm.get_secret_key()), report)

    assert report.sessions_checked == 1
    payment = Payment.objects.get()
    assert payment.amount == Decimal("120.00")
    assert CheckoutSession.objects.get().status == CheckoutStatus.COMPLETE
    assert payment.source == PaymentSource.SYNC


def test_payments_the_sync_recovers_are_labelled_as_the_syncs_not_the_webhooks(
    firm, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Work", "1", "80.00", None)])
    emulator.webhook_fault("drop", count=1000)
    pay(client_browser, emulator, invoice, success_page=False)
    emulator.clear_faults()

    sync_command()

    payment = Payment.objects.get()
    assert payment.source == PaymentSource.SYNC
    assert payment.get_source_display() == "Sync from Stripe"


def test_the_task_syncs_every_configured_site(firm, make_invoice, client_browser, emulator):
    invoice = make_invoice(lines=[("Work", "1", "80.00", None)])
    emulator.webhook_fault("drop", count=1000)
    pay(client_browser, emulator, invoice, success_page=False)
    emulator.clear_faults()

    result = sync_from_stripe.enqueue()

    [report] = result.return_value
    assert report["payments_recorded"] == 1 and report["errors"] == []
    assert Payment.objects.get().amount == Decimal("80.00")


def test_a_refund_whose_event_came_before_its_payment_is_noted_when_the_payment_is(
    firm, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Work", "1", "100.00", None)])
    # Only the payment's events are lost; the refund's arrives, about a payment the site does not know yet.
    emulator.webhook_fault(
        "drop", count=1000, types=["checkout.session.completed", "payment_intent.succeeded"]
    )
    session_id = pay(client_browser, emulator, invoice, success_page=False)
    intent = emulator.stripe_client().v1.checkout.sessions.retrieve(session_id).payment_intent
    refund = emulator.refund(payment_intent=intent, amount=3000)
    emulator.wait_for_deliveries()
    emulator.clear_faults()
    assert Payment.objects.count() == 0 and StripeRefund.objects.count() == 0

    sync_command()

    payment = Payment.objects.get()
    noted = StripeRefund.objects.get()
    assert (noted.stripe_id, noted.payment, noted.amount) == (refund["id"], payment, Decimal("30.00"))
    assert noted.needs_reconciling
