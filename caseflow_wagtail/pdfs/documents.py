"""What the invoice and receipt PDFs show, and what their files are called.

The invoice PDF is the invoice page's own content (``invoices.presentation.invoice_context`` through the
includes the page uses) with the print stylesheet; a receipt shows one payment with the balance left
after it. Every amount is formatted by ``money``, from Decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..firm import firm_details
from ..invoices.presentation import invoice_context
from ..invoices.sites import invoice_site
from ..models import AdjustmentKind, Payment
from .render import css_string, render_pdf

INVOICE_TEMPLATE = "caseflow_wagtail/pdf/invoice.html"
RECEIPT_TEMPLATE = "caseflow_wagtail/pdf/receipt.html"


@dataclass(frozen=True, slots=True)
class Pdf:
    filename: str
    content: bytes


def safe_filename_part(text: str, fallback: str) -> str:
    """An invoice number as it may appear in a file name: the firm chooses its prefix freely."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or fallback


def firm_context(invoice) -> dict[str, Any]:
    """The firm's block (``includes/firm_details.html``) and the name to print."""
    firm = firm_details(invoice_site(invoice))
    return {"firm": firm, "firm_name": firm.name}


def footer_label(firm_name: str, document: str) -> str:
    """The left of each page's footer: who issued the document and which one it is."""
    return css_string(" · ".join(part for part in (firm_name, document) if part))


def invoice_pdf(invoice) -> Pdf:
    # The page's own context, the firm's details included.
    context = invoice_context(invoice, None)
    title = _("Invoice %(number)s") % {"number": invoice.invoice_number}
    context.update(title=title, footer_label=footer_label(context["firm_name"], title))
    number = safe_filename_part(invoice.invoice_number, str(invoice.pk))
    return Pdf(filename=f"invoice-{number}.pdf", content=render_pdf(INVOICE_TEMPLATE, context))


def receipt_number(payment: Payment) -> str:
    """Stable for ever: payments are never deleted nor renumbered, and an invoice's number may change."""
    return f"R-{payment.pk:06d}"


def balance_after(payment: Payment, invoice) -> Decimal:
    """What was left to pay once this payment was recorded: the total, less the payments and credits
    recorded up to it, plus the refunds recorded up to it (in the order the ledger recorded them)."""
    upto = (payment.created_at, payment.pk)
    paid = sum(
        (entry.amount for entry in invoice.payments.all() if (entry.created_at, entry.pk) <= upto),
        Decimal(0),
    )
    balance = invoice.total - paid
    for adjustment in invoice.adjustments.all():
        if adjustment.created_at <= payment.created_at:
            balance += adjustment.amount if adjustment.kind == AdjustmentKind.REFUND else -adjustment.amount
    return balance


def receipt_context(payment: Payment, invoice) -> dict[str, Any]:
    context = firm_context(invoice)
    number = receipt_number(payment)
    title = _("Receipt %(number)s") % {"number": number}
    context.update(
        title=title,
        footer_label=footer_label(context["firm_name"], title),
        receipt_number=number,
        payment=payment,
        invoice=invoice,
        balance_after=balance_after(payment, invoice),
    )
    return context


def receipt_pdf(payment: Payment, invoice=None) -> Pdf:
    invoice = invoice if invoice is not None else payment.invoice.specific
    invoice_number = safe_filename_part(invoice.invoice_number, str(invoice.pk))
    return Pdf(
        filename=f"receipt-{invoice_number}-{receipt_number(payment)}.pdf",
        content=render_pdf(RECEIPT_TEMPLATE, receipt_context(payment, invoice)),
    )
