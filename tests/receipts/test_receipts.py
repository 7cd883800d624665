"""Receipts: the editable template, sending once after commit, failure and retry, tracking, resend."""

from __future__ import annotations

from decimal import Decimal

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import EmailTemplate, Payment, PaymentMethod, ReceiptStatus

pytestmark = pytest.mark.django_db(transaction=True)


class BrokenBackend:
    """A mail service that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail service unavailable")


def pay(invoice, amount="40.00", **kwargs) -> Payment:
    return ledger.record_payment(
        invoice,
        amount=Decimal(amount),
        currency=invoice.currency,
        method=PaymentMethod.BANK_TRANSFER,
        **kwargs,
    ).entry


def test_a_payment_sends_one_receipt_from_the_editable_template(make_invoice):
    template = get_template("payment-recorded")
    template.subject = "Paid: {{ invoice_number }} ({{ amount }})"
    template.save()
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])

    payment = pay(invoice)

    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.subject == f"Paid: {invoice.invoice_number} ($40.00)"
    assert "$60.00" in receipt.body  # balance
    assert "Partially paid" in receipt.body
    assert invoice.url in receipt.body
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT
    assert payment.receipt_to == "ada@acme.test"


def test_no_receipt_when_staff_untick_it(make_invoice):
    payment = pay(make_invoice(), send_receipt=False)

    assert mail.outbox == []
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.NOT_SENT


def test_a_mail_failure_keeps_the_payment_and_the_retry_sends_once(make_invoice, settings):
    invoice = make_invoice()
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"

    payment = pay(invoice)

    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.FAILED
    assert "mail service unavailable" in payment.receipt_error
    assert Payment.objects.count() == 1

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    call_command("caseflow_send_receipts")
    call_command("caseflow_send_receipts")

    assert len(mail.outbox) == 1
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT
    assert payment.receipt_attempts == 2


def test_tracking_marks_the_receipt_delivered_or_bounced(make_invoice):
    payment = pay(make_invoice())
    event = AnymailTrackingEvent(
        event_type="bounced", metadata={"payment_id": str(payment.pk)}, message_id="x"
    )

    tracking.send(sender=object, event=event, esp_name="Test")

    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.BOUNCED


def test_unknown_merge_fields_are_refused(admin_client, home_page):
    template = get_template("payment-recorded")
    url = reverse("wagtailsnippets_caseflow_wagtail_emailtemplate:edit", args=[template.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"subject": "Hi {{ matter_name }}", "text_body": "x", "html_body": ""})

    assert response.status_code == 200
    assert "matter_name" in str(response.context["form"].errors)
    assert EmailTemplate.objects.get(pk=template.pk).subject != "Hi {{ matter_name }}"


def test_staff_can_resend_a_receipt(admin_client, make_invoice):
    payment = pay(make_invoice())
    url = reverse("caseflow_wagtail_admin:resend_receipt", args=[payment.pk])
    inspect = admin_client.get(reverse("caseflow_payments:inspect", args=[payment.pk])).content.decode()
    assert url in inspect

    assert admin_client.get(url).status_code == 200
    admin_client.post(url)

    assert len(mail.outbox) == 2


def test_billing_listings_show_the_stripe_mode(admin_client, home_page):
    for name in ("caseflow_payments:index", "caseflow_invoices:index", "caseflow_adjustments:index"):
        page = admin_client.get(reverse(name)).content.decode()
        assert "Stripe: NOT CONFIGURED" in page, name
