"""The invoice PDF: the page's content, money in each currency's own decimals, long invoices paginated."""

from __future__ import annotations

import re

import pytest

from caseflow_wagtail.pdfs.documents import invoice_pdf

from .conftest import page_texts, pay, pdf_text

pytestmark = pytest.mark.django_db


def test_a_usd_invoice_shows_its_number_lines_totals_payments_and_balance(make_invoice, firm):
    invoice = make_invoice(
        number="HF-0042",
        lines=[("Drafting the lease", "2.5", "180.00", "20"), ("Court fee", "1", "55.40", None)],
    )
    pay(invoice, "100.00")

    pdf = invoice_pdf(invoice)

    assert pdf.filename == "invoice-HF-0042.pdf"
    text = pdf_text(pdf.content)
    for expected in (
        "Harbour & Finch LLP",
        "accounts@harbourfinch.test",
        "Invoice HF-0042",
        "Acme Holdings",
        "Drafting the lease 2.5 $180.00 20% $450.00",
        "Court fee 1 $55.40 $55.40",
        "Subtotal $505.40",
        "Tax $90.00",
        "Total $595.40",
        "Payments received \u2212$100.00",  # a minus sign, as on the page
        "Balance due $495.40",
        "Bank transfer $100.00",
        "Partially paid",
    ):
        assert expected in text, expected
    # Nothing to click on paper: no Pay Now, no download links.
    assert "Pay Now" not in text
    assert "Download PDF" not in text
    assert "Receipt (PDF)" not in text


def test_a_yen_invoice_has_no_decimals(make_invoice, firm):
    invoice = make_invoice(currency="JPY", lines=[("Consultation", "3", "12345", None)])
    pay(invoice, "10000")

    text = pdf_text(invoice_pdf(invoice).content)

    assert "Consultation 3 ¥12,345 ¥37,035" in text
    assert "Total ¥37,035" in text
    assert "Balance due ¥27,035" in text
    assert "¥37,035.00" not in text


def test_a_kuwaiti_dinar_invoice_has_three_decimals(make_invoice, firm):
    invoice = make_invoice(currency="KWD", lines=[("Notarisation", "2", "12.345", None)])
    pay(invoice, "10.250")

    text = pdf_text(invoice_pdf(invoice).content)

    assert "Notarisation 2 KWD12.345 KWD24.690" in text
    assert "Total KWD24.690" in text
    assert "Balance due KWD14.440" in text


def test_a_200_line_invoice_runs_over_numbered_pages_with_the_headings_on_each(make_invoice, firm):
    lines = [(f"Attendance note {n:03d}", "1", "10.00", None) for n in range(1, 201)]
    invoice = make_invoice(number="HF-LONG", lines=lines)

    pages = page_texts(invoice_pdf(invoice).content)

    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        # Every page but a last one holding only totals repeats the lines' column headings.
        if "Attendance note" in text:
            assert "Description Quantity Unit price Amount" in text
    whole = "\n".join(pages)
    found = re.findall(r"Attendance note (\d{3})", whole)
    assert found == [f"{n:03d}" for n in range(1, 201)]  # each line once, in order, the last one too
    assert "Attendance note 200 1 $10.00 $10.00" in pages[-1] or "Attendance note 200" in whole
    assert "Total $2,000.00" in pages[-1]


def test_the_invoice_body_prints_without_its_pay_now_block(make_invoice, firm):
    invoice = make_invoice()
    invoice.notes = "Payable within 30 days."
    invoice.body = [
        ("paragraph", "<p>Thank you for instructing us.</p>"),
        ("pay_now", {"label": "Pay this invoice now", "help_text": "By card"}),
    ]
    invoice.save_revision().publish()
    invoice.refresh_from_db()

    text = pdf_text(invoice_pdf(invoice).content)

    assert "Payable within 30 days." in text
    assert "Thank you for instructing us." in text
    assert "Pay this invoice now" not in text


def test_a_void_invoice_prints_its_reason_and_no_balance_due(make_invoice, firm):
    from django.utils import timezone

    from caseflow_wagtail.models import InvoicePage

    invoice = make_invoice(number="HF-0099", lines=[("Court fee", "1", "55.40", None)])
    InvoicePage.objects.filter(pk=invoice.pk).update(
        voided_at=timezone.now(), void_reason="Replaced by HF-0100"
    )
    invoice.refresh_from_db()

    text = pdf_text(invoice_pdf(invoice).content)

    assert "This invoice is void: Replaced by HF-0100" in text
    assert "Nothing is due" in text
    assert "Balance due" not in text
