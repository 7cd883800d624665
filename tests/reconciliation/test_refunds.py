"""Refunds made in Stripe's dashboard reach the invoice, the Billing screens and the firm's inbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from caseflow_wagtail.models import Adjustment, AdjustmentKind, InvoiceStatus, StripeEvent, StripeRefund

from .confirm_pages import confirm
from .conftest import BILLING_EMAIL, edit_url, notices, paid_payment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dashboard_refund_is_shown_emailed_and_reconciled_once_confirmed(
    firm, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "400.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID

    refund = emulator.refund(payment_intent=payment.stripe_payment_intent_id)
    emulator.wait_for_deliveries()

    noted = StripeRefund.objects.get()
    assert (noted.stripe_id, noted.amount, noted.status) == (refund["id"], Decimal("400.00"), "succeeded")
    assert noted.payment == payment and noted.needs_reconciling
    assert Adjustment.objects.count() == 0
    editor = staff.get(edit_url(invoice)).content.decode()
    assert "Refunded in Stripe, not yet reconciled" in editor
    assert "$400.00" in editor
    screen = staff.get(reverse("caseflow_reconciliation:index")).content.decode()
    assert invoice.invoice_number in screen and "$400.00" in screen
    [notice] = notices("stripe-refund")
    assert notice.to == [BILLING_EMAIL]
    assert invoice.invoice_number in notice.subject and "$400.00" in notice.subject
    assert "Not yet reconciled" in notice.body

    reconcile = reverse("caseflow_reconciliation:reconcile_refund", args=[noted.pk])
    assert Adjustment.objects.count() == 0
    clicked = confirm(staff, reconcile, {"kind": "refund", "next": edit_url(invoice)})
    assert clicked.status_code == 302 and clicked["Location"] == edit_url(invoice)

    adjustment = Adjustment.objects.get()
    assert adjustment.kind == AdjustmentKind.REFUND
    assert adjustment.amount == Decimal("400.00")
    assert adjustment.stripe_refund_id == refund["id"]
    assert adjustment.payment == payment
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("400.00")
    assert invoice.status == InvoiceStatus.UNPAID
    assert "Refunded in Stripe, not yet reconciled" not in staff.get(edit_url(invoice)).content.decode()

    # Stripe delivers both refund events again, and staff click again: nothing changes.
    for event in StripeEvent.objects.filter(type__in=["refund.created", "charge.refunded"]):
        emulator.resend_event(event.stripe_id)
    emulator.wait_for_deliveries()
    again = confirm(staff, reconcile, {"kind": "credit"}, follow=True)
    assert "already recorded" in again.content.decode()
    assert Adjustment.objects.count() == 1
    assert StripeRefund.objects.count() == 1
    assert len(notices("stripe-refund")) == 1
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("400.00")
    assert set(StripeEvent.objects.values_list("deliveries", flat=True).filter(type="refund.created")) == {2}


def test_automatic_mode_records_the_refund_without_a_click(
    firm, automatic, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice(lines=[("Probate", "1", "250.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)

    refund = emulator.refund(payment_intent=payment.stripe_payment_intent_id)
    emulator.wait_for_deliveries()

    adjustment = Adjustment.objects.get()
    assert (adjustment.kind, adjustment.amount, adjustment.stripe_refund_id) == (
        AdjustmentKind.REFUND,
        Decimal("250.00"),
        refund["id"],
    )
    assert StripeRefund.objects.get().adjustment == adjustment
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("250.00")
    assert invoice.status == InvoiceStatus.UNPAID
    assert "Refunded in Stripe, not yet reconciled" not in staff.get(edit_url(invoice)).content.decode()
    [notice] = notices("stripe-refund")
    assert "Recorded automatically" in notice.body

    for event in StripeEvent.objects.filter(type__in=["refund.created", "charge.refunded"]):
        emulator.resend_event(event.stripe_id)
    emulator.wait_for_deliveries()
    assert Adjustment.objects.count() == 1


def test_a_partial_refund_then_another_gives_two_adjustments(
    firm, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice(lines=[("Litigation", "1", "400.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)

    first = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=15000)
    emulator.wait_for_deliveries()
    second = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=10000)
    emulator.wait_for_deliveries()

    refunds = {row.stripe_id: row for row in StripeRefund.objects.all()}
    assert {key: row.amount for key, row in refunds.items()} == {
        first["id"]: Decimal("150.00"),
        second["id"]: Decimal("100.00"),
    }
    editor = staff.get(edit_url(invoice)).content.decode()
    assert editor.count("Refunded in Stripe, not yet reconciled") == 2
    for row in refunds.values():
        confirm(staff, reverse("caseflow_reconciliation:reconcile_refund", args=[row.pk]), {"kind": "refund"})

    assert sorted(Adjustment.objects.values_list("stripe_refund_id", "amount")) == sorted(
        [(first["id"], Decimal("150.00")), (second["id"], Decimal("100.00"))]
    )
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("250.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert len(notices("stripe-refund")) == 2


def test_recording_a_refund_as_a_credit_forgives_it(firm, make_invoice, client_browser, emulator, staff):
    invoice = make_invoice(lines=[("Advice", "1", "90.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=4000)
    emulator.wait_for_deliveries()

    confirm(
        staff,
        reverse("caseflow_reconciliation:reconcile_refund", args=[StripeRefund.objects.get().pk]),
        {"kind": "credit"},
    )

    assert sorted(Adjustment.objects.values_list("kind", "amount")) == [
        (AdjustmentKind.CREDIT, Decimal("40.00")),
        (AdjustmentKind.REFUND, Decimal("40.00")),
    ]
    invoice.refresh_from_db()
    assert (invoice.amount_refunded, invoice.amount_credited, invoice.balance) == (
        Decimal("40.00"),
        Decimal("40.00"),
        Decimal("0.00"),
    )
    assert invoice.status == InvoiceStatus.PAID


def test_only_staff_who_may_record_adjustments_reconcile(
    firm, make_invoice, client_browser, emulator, client
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    invoice = make_invoice()
    payment = paid_payment(client_browser, emulator, invoice)
    emulator.refund(payment_intent=payment.stripe_payment_intent_id)
    emulator.wait_for_deliveries()
    clerk = get_user_model().objects.create_user("clerk", "clerk@firm.test", "pw")
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)

    url = reverse("caseflow_reconciliation:reconcile_refund", args=[StripeRefund.objects.get().pk])
    assert client.get(url, {"kind": "refund"}).status_code == 403
    assert client.post(url, {"kind": "refund", "confirm": "yes"}).status_code == 403
    assert client.get(reverse("caseflow_reconciliation:index")).status_code == 403
    assert Adjustment.objects.count() == 0


def test_automatic_mode_leaves_a_refund_the_ledger_refuses_for_staff(
    firm, automatic, make_invoice, client_browser, emulator
):
    from caseflow_wagtail import ledger
    from caseflow_wagtail.models import EventOutcome

    invoice = make_invoice(lines=[("Advice", "1", "120.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    # Staff already recorded the money going back by hand, before Stripe's refund arrived.
    ledger.record_adjustment(
        invoice, kind=AdjustmentKind.REFUND, amount=Decimal("120.00"), currency="USD", reason="Cheque back"
    )

    emulator.refund(payment_intent=payment.stripe_payment_intent_id)
    emulator.wait_for_deliveries()

    noted = StripeRefund.objects.get()
    assert noted.needs_reconciling
    assert Adjustment.objects.count() == 1
    assert set(StripeEvent.objects.filter(type="refund.created").values_list("outcome", flat=True)) == {
        EventOutcome.PROCESSED
    }
    assert len(notices("stripe-refund")) == 1


def _refund_events(emulator, kind: str) -> list[str]:
    return [e.id for e in emulator.stripe_client().v1.events.list(params={"type": kind}).data]


def test_a_refund_is_posted_back_when_its_refund_created_delivery_is_lost(
    firm, automatic, make_invoice, client_browser, emulator, staff
):
    # Stripe's charge.refunded carries the charge without its refunds (not included unless expanded since
    # 2022-11-15, and events are never expanded): the plugin asks Stripe for the charge's refunds.
    invoice = make_invoice(lines=[("Lease review", "1", "300.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    emulator.webhook_fault("drop", types=["refund.created"])

    refund = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=12000)
    emulator.wait_for_deliveries()

    assert not StripeEvent.objects.filter(type="refund.created").exists()
    assert StripeEvent.objects.filter(type="charge.refunded").exists()
    noted = StripeRefund.objects.get()
    assert (noted.stripe_id, noted.amount, noted.payment) == (refund["id"], Decimal("120.00"), payment)
    adjustment = Adjustment.objects.get()
    assert (adjustment.stripe_refund_id, adjustment.amount) == (refund["id"], Decimal("120.00"))
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("120.00")
    assert len(notices("stripe-refund")) == 1


@pytest.mark.parametrize("first", ["refund.created", "charge.refunded"])
def test_either_order_of_arrival_records_each_refund_once(
    first, firm, automatic, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice(lines=[("Tenancy dispute", "1", "500.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    late = "charge.refunded" if first == "refund.created" else "refund.created"
    emulator.webhook_fault("drop", types=[late], count=2)

    one = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=10000)
    two = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=5000)
    emulator.wait_for_deliveries()
    assert set(StripeRefund.objects.values_list("stripe_id", flat=True)) == {one["id"], two["id"]}
    # The late twins arrive afterwards (Stripe redelivers what was not answered).
    for event_id in _refund_events(emulator, late):
        emulator.resend_event(event_id)
    emulator.wait_for_deliveries()

    assert StripeEvent.objects.filter(type=late).count() == 2
    assert StripeRefund.objects.count() == 2
    assert sorted(Adjustment.objects.values_list("amount", flat=True)) == [
        Decimal("50.00"),
        Decimal("100.00"),
    ]
    assert len(notices("stripe-refund")) == 2
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("150.00")
