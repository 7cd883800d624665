"""The invoice email carries the invoice PDF when the firm turns it on (the same PDF as the client's
download); a PDF that cannot be made never costs the email."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.models import BillingSettings, InvoiceSending, SendingStatus
from tests.pdfs.conftest import pdf_text

from .test_send_invoice import send

pytestmark = pytest.mark.django_db


def test_invoice_emails_carry_no_pdf_unless_the_firm_asks(
    admin_client, make_invoice, firm_copy, django_capture_on_commit_callbacks
):
    invoice = make_invoice()
    assert BillingSettings.objects.get().attach_invoice_pdf is False

    send(admin_client, invoice, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments == []


def test_the_invoice_pdf_is_attached_when_turned_on(
    admin_client, client, make_invoice, firm_copy, django_capture_on_commit_callbacks
):
    billing = BillingSettings.objects.get()
    billing.attach_invoice_pdf = True
    billing.save()
    invoice = make_invoice(number="LB-0042", currency="JPY", lines=[("Filing", "1", "50000", None)])
    ledger.record_payment(invoice, amount=Decimal("20000"), currency="JPY", method="cash", send_receipt=False)

    send(admin_client, invoice, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("invoice-LB-0042.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Invoice LB-0042" in text
    assert "Balance due ¥30,000" in text
    assert "¥30,000 due" in message.subject
    download = client.get(reverse("caseflow_wagtail:invoice_pdf", kwargs={"token": invoice.public_token}))
    assert pdf_text(download.content) == text  # the client's own download, page for page
    assert InvoiceSending.objects.get().status == SendingStatus.SENT


def test_a_pdf_that_cannot_be_made_leaves_the_invoice_email_to_go_without_it(
    admin_client, make_invoice, firm_copy, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    billing = BillingSettings.objects.get()
    billing.attach_invoice_pdf = True
    billing.save()
    # An invoice template that cannot render: a real failure inside the PDF step, not a stand-in.
    broken = tmp_path / "caseflow_wagtail" / "pdf"
    broken.mkdir(parents=True)
    (broken / "invoice.html").write_text("{% load no_such_library %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    invoice = make_invoice(lines=[("Advice", "1", "250.00", None)])

    with caplog.at_level(logging.ERROR, logger="caseflow_wagtail.mail.sending"):
        send(admin_client, invoice, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.attachments == []
    assert "Amount due: $250.00" in message.body
    sending = InvoiceSending.objects.get()
    assert (sending.status, sending.error) == (SendingStatus.SENT, "")
    [record] = [r for r in caplog.records if r.name == "caseflow_wagtail.mail.sending"]
    assert record.getMessage() == (
        f"Invoice PDF of invoice {invoice.invoice_number} (sending {sending.pk}) not attached; "
        "the email goes without it"
    )
    assert record.exc_info is not None  # the cause is in the log, for whoever fixes the site
