"""Disputes opened by a client's bank flag the payment and invoice until the network decides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from caseflow_wagtail.models import Adjustment, AdjustmentKind, InvoiceStatus, StripeDispute

from .confirm_pages import confirm
from .conftest import BILLING_EMAIL, edit_url, notices, paid_payment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lost_dispute_is_flagged_emailed_and_its_adjustment_proposed(
    firm, make_invoice, client_browser, emulator, staff
):
    invoice = make_invoice(lines=[("Retainer", "1", "600.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)

    opened = emulator.dispute(payment_intent=payment.stripe_payment_intent_id, reason="product_not_received")
    emulator.wait_for_deliveries()

    dispute = StripeDispute.objects.get()
    assert (dispute.stripe_id, dispute.payment, dispute.amount) == (opened["id"], payment, Decimal("600.00"))
    assert dispute.is_open and dispute.reason == "product_not_received"
    assert dispute.evidence_due_by is not None
    editor = staff.get(edit_url(invoice)).content.decode()
    assert "Disputed" in editor
    assert "caseflow-flag-disputed" in editor  # on the payment's row too
    assert "Product not received" in editor
    assert dispute.evidence_due_by.strftime("%Y") in editor
    [notice] = notices("stripe-dispute")
    assert notice.to == [BILLING_EMAIL]
    assert "Product not received" in notice.body and "$600.00" in notice.body
    screen = staff.get(reverse("caseflow_reconciliation:index")).content.decode()
    assert "Open disputes" in screen and invoice.invoice_number in screen

    emulator.update_dispute(opened["id"])
    emulator.close_dispute(opened["id"], "lost")
    emulator.wait_for_deliveries()

    dispute.refresh_from_db()
    assert dispute.status == "lost" and dispute.awaits_adjustment
    assert Adjustment.objects.count() == 0  # proposed, not recorded behind the firm's back
    editor = staff.get(edit_url(invoice)).content.decode()
    assert "Dispute lost" in editor and "Record refund of $600.00" in editor
    assert len(notices("stripe-dispute")) == 2

    record = reverse("caseflow_reconciliation:record_dispute_loss", args=[dispute.pk])
    confirm(staff, record)
    again = confirm(staff, record, follow=True)
    assert "already recorded" in again.content.decode()

    adjustment = Adjustment.objects.get()
    assert (adjustment.kind, adjustment.amount, adjustment.stripe_refund_id, adjustment.payment) == (
        AdjustmentKind.REFUND,
        Decimal("600.00"),
        opened["id"],
        payment,
    )
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("600.00") and invoice.status == InvoiceStatus.UNPAID
    assert "Record refund of" not in staff.get(edit_url(invoice)).content.decode()


def test_a_won_dispute_clears_the_flag(firm, make_invoice, client_browser, emulator, staff):
    invoice = make_invoice(lines=[("Retainer", "1", "300.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)

    opened = emulator.dispute(payment_intent=payment.stripe_payment_intent_id)
    emulator.wait_for_deliveries()
    assert "Disputed" in staff.get(edit_url(invoice)).content.decode()

    emulator.close_dispute(opened["id"], "won")
    emulator.wait_for_deliveries()

    dispute = StripeDispute.objects.get()
    assert dispute.status == "won" and not dispute.is_open and dispute.closed_at is not None
    editor = staff.get(edit_url(invoice)).content.decode()
    assert "Disputed" not in editor and "Dispute lost" not in editor
    assert "caseflow-flag-disputed" not in editor
    assert Adjustment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.invoice_number not in staff.get(reverse("caseflow_reconciliation:index")).content.decode()
    assert len(notices("stripe-dispute")) == 1
