"""The receipt email carries the receipt PDF when the firm turns it on; a PDF that fails never costs the
email. Payments go through the ledger, and the receipt task runs after commit as on a live site."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from caseflow_wagtail.models import ReceiptStatus

from .conftest import pay, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_receipts_carry_no_pdf_unless_the_firm_asks(make_invoice, firm):
    assert firm.attach_receipt_pdf is False
    invoice = make_invoice()

    payment = pay(invoice, "40.00")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments == []
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT


def test_the_receipt_pdf_is_attached_when_turned_on(make_invoice, firm):
    firm.attach_receipt_pdf = True
    firm.save()
    invoice = make_invoice(number="HF-0300", currency="JPY", lines=[("Filing", "1", "50000", None)])

    payment = pay(invoice, "20000")

    assert len(mail.outbox) == 1
    [(filename, content, mimetype)] = mail.outbox[0].attachments
    assert filename == f"receipt-HF-0300-R-{payment.pk:06d}.pdf"
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert f"Receipt number R-{payment.pk:06d}" in text
    assert "Amount received ¥20,000" in text
    assert "¥30,000" in text


def test_a_pdf_that_cannot_be_rendered_leaves_the_email_to_go_without_it(
    make_invoice, firm, settings, tmp_path, caplog
):
    firm.attach_receipt_pdf = True
    firm.save()
    # A receipt template that cannot render: a real failure inside the PDF step, not a stand-in.
    broken = tmp_path / "caseflow_wagtail" / "pdf"
    broken.mkdir(parents=True)
    (broken / "receipt.html").write_text("{% load no_such_library %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    invoice = make_invoice()

    with caplog.at_level(logging.ERROR, logger="caseflow_wagtail.mail.receipts"):
        payment = pay(invoice, "40.00")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments == []
    assert "$40.00" in mail.outbox[0].body
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT
    assert f"Receipt PDF for payment {payment.pk} not attached" in caplog.text
