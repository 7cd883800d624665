from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from caseflow_wagtail.models import CheckoutSession, InvoiceStatus, Payment, PaymentSource, StripeEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_paying_the_balance_records_one_payment_and_one_receipt(
    online, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])

    page = client_browser.open_invoice(invoice)
    assert "Pay Now" in page.text

    redirect = client_browser.click_pay_now(invoice)
    assert redirect.status_code == 302
    checkout_url = redirect.headers["Location"]
    assert checkout_url.startswith(emulator.base_url + "/checkout/cs_")

    paid = client_browser.pay_on_checkout(checkout_url)
    assert paid.status_code == 303
    success_url = paid.headers["Location"]
    assert f"/billing/invoice/{invoice.public_token}/paid/?session_id=cs_" in success_url
    confirmation = client_browser.session.get(success_url, timeout=10)
    assert confirmation.status_code == 200
    assert "payment received" in confirmation.text
    assert "$1,250.00" in confirmation.text
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert payment.amount == Decimal("1250.00")
    assert payment.source in (PaymentSource.WEBHOOK, PaymentSource.SUCCESS_PAGE)
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.stripe_checkout_session_id == CheckoutSession.objects.get().stripe_id
    assert payment.fee is None  # asynchronous capture: Stripe sets the balance transaction a little later
    emulator.settle()
    emulator.wait_for_deliveries()
    payment.refresh_from_db()
    assert payment.fee == Decimal("36.55")  # 2.9% + 30¢ of 1,250.00, from charge.updated
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["ada@acme.test"]
    assert invoice.invoice_number in receipt.subject
    assert "$1,250.00" in receipt.body
    assert receipt.tags == ["payment-recorded"]
    assert receipt.metadata == {"payment_id": str(payment.pk), "invoice_id": str(invoice.pk)}
    assert StripeEvent.objects.filter(type="checkout.session.completed").count() == 1


def test_a_repeat_click_reuses_the_open_session(online, make_invoice, client_browser, emulator):
    invoice = make_invoice()

    first = client_browser.click_pay_now(invoice).headers["Location"]
    second = client_browser.click_pay_now(invoice).headers["Location"]

    assert first == second
    creates = [r for r in emulator.requests(method="POST") if r["path"] == "/v1/checkout/sessions"]
    assert len(creates) == 1


def test_a_declined_card_records_nothing_and_the_client_can_retry(
    online, make_invoice, client_browser, emulator
):
    invoice = make_invoice()
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]

    declined = client_browser.pay_on_checkout(checkout_url, card="4000000000000002")
    assert declined.status_code in (200, 402)
    assert "declined" in declined.text.lower()
    emulator.wait_for_deliveries()
    assert Payment.objects.count() == 0

    paid = client_browser.pay_on_checkout(checkout_url)
    client_browser.session.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()
    assert Payment.objects.count() == 1
