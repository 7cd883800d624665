"""Reconciling in Chromium: from the invoice editor's Payments tab, through the confirm page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from caseflow_wagtail.models import Adjustment, AdjustmentKind, StripeRefund
from tests.admin_login import log_in_as_partner

from .conftest import paid_payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_reconcile_a_stripe_refund_from_the_invoice_editor(
    page, live_server, firm, make_invoice, client_browser, emulator, django_user_model
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "180.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    refund = emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=8000)
    emulator.wait_for_deliveries()

    log_in_as_partner(page, django_user_model, live_server.url)
    page.goto(f"{live_server.url}/admin/pages/{invoice.pk}/edit/")
    page.get_by_role("tab", name="Payments").click()
    notice = page.locator(".caseflow-unreconciled")
    assert "Refunded in Stripe, not yet reconciled" in notice.inner_text()
    assert "$80.00" in notice.inner_text()

    notice.get_by_role("link", name="Refund (client owes it again)").click()
    page.wait_for_url(re.compile(r"/billing/reconciliation/refund/"))
    confirm_page = page.locator("main").inner_text()
    assert "Stripe refunded $80.00 of a payment on invoice" in confirm_page
    assert "the client owes it again" in confirm_page
    assert Adjustment.objects.count() == 0
    with page.expect_navigation(url=re.compile(rf"/admin/pages/{invoice.pk}/edit/")):
        page.get_by_role("button", name="Yes, record the refund").click()

    assert "recorded as a refund" in page.locator(".messages").inner_text()
    adjustment = Adjustment.objects.get()
    assert (adjustment.kind, adjustment.amount, adjustment.stripe_refund_id) == (
        AdjustmentKind.REFUND,
        Decimal("80.00"),
        refund["id"],
    )
    assert StripeRefund.objects.get().adjustment == adjustment
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("80.00")
    assert page.locator(".caseflow-unreconciled").count() == 0
