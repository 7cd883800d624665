"""A receipt PDF per payment: its stable number, the payment, the invoice and the balance after it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from caseflow_wagtail import ledger
from caseflow_wagtail.models import AdjustmentKind, PaymentMethod
from caseflow_wagtail.pdfs.documents import balance_after, receipt_number, receipt_pdf

from .conftest import pay, pdf_text

pytestmark = pytest.mark.django_db


def test_a_receipt_shows_its_number_date_amount_method_invoice_and_balance_after(make_invoice, firm):
    invoice = make_invoice(number="HF-0007", lines=[("Advice", "1", "300.00", None)])
    payment = pay(
        invoice,
        "120.00",
        method=PaymentMethod.CHEQUE,
        received_on=datetime.date(2026, 3, 4),
        reference="CHQ 881",
    )

    pdf = receipt_pdf(payment)

    number = f"R-{payment.pk:06d}"
    assert receipt_number(payment) == number
    assert pdf.filename == f"receipt-HF-0007-{number}.pdf"
    text = pdf_text(pdf.content)
    for expected in (
        "Harbour & Finch LLP",
        f"Receipt {number}",
        f"Receipt number {number}",
        "Date received March 4, 2026",
        "Method Cheque",
        "Reference CHQ 881",
        "Invoice number HF-0007",
        "Invoice total $300.00",
        "Amount received $120.00",
        "$180.00",
        "Acme Holdings",
    ):
        assert expected in text, expected


def test_each_receipt_keeps_the_balance_left_after_its_own_payment(make_invoice, firm):
    invoice = make_invoice(currency="KWD", lines=[("Retainer", "1", "100.000", None)])
    first = pay(invoice, "30.250")
    ledger.record_adjustment(
        invoice, kind=AdjustmentKind.CREDIT, amount=Decimal("10.000"), currency="KWD", reason="Goodwill"
    )
    invoice.refresh_from_db()
    second = pay(invoice, "20.000")

    # The first receipt is not rewritten by what came after it.
    assert balance_after(first, invoice) == Decimal("69.750")
    assert balance_after(second, invoice) == Decimal("39.750")
    assert "KWD69.750" in pdf_text(receipt_pdf(first).content)
    assert "KWD39.750" in pdf_text(receipt_pdf(second).content)


def test_a_yen_receipt_has_no_decimals(make_invoice, firm):
    invoice = make_invoice(currency="JPY", lines=[("Filing", "1", "50000", None)])
    payment = pay(invoice, "20000")

    text = pdf_text(receipt_pdf(payment).content)

    assert "Amount received ¥20,000" in text
    assert "¥30,000" in text
    assert "¥20,000.00" not in text
