from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from caseflow_wagtail import ledger
from caseflow_wagtail.models import Payment, PaymentMethod


def page_texts(content: bytes) -> list[str]:
    """The text of each page, as a reader of the PDF would copy it."""
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(page_texts(content))


def pay(invoice, amount: str, method: str = PaymentMethod.BANK_TRANSFER, **kwargs) -> Payment:
    payment = ledger.record_payment(
        invoice, amount=Decimal(amount), currency=invoice.currency, method=method, **kwargs
    ).entry
    invoice.refresh_from_db()
    return payment


@pytest.fixture
def firm(home_page):
    """The default site's billing settings, with the firm's name and billing email filled in."""
    from wagtail.models import Site

    from caseflow_wagtail.models import BillingSettings

    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = "Harbour & Finch LLP"
    billing.billing_email = "accounts@harbourfinch.test"
    billing.save()
    return billing
