"""PDF downloads: the client's, behind the invoice's token, and the billing staff's, in the admin.

A client reaches only the invoice of the token and that invoice's own receipts; staff need the billing
permission. Both answer with the invoice page's private headers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import View

from ..headers import make_private
from ..models import InvoicePage, Payment
from ..pdfs.documents import Pdf, invoice_pdf, receipt_pdf
from ..pdfs.render import PdfError
from .base import BillingOnlyMixin
from .public import get_public_invoice

logger = logging.getLogger(__name__)


def pdf_response(render, *args: Any) -> HttpResponse:
    """The PDF as a download, or a plain 503 naming no detail when it cannot be rendered (logged)."""
    try:
        pdf: Pdf = render(*args)
    except PdfError as error:
        logger.error("PDF not rendered: %s", error, exc_info=error.__cause__ or error)
        return make_private(
            HttpResponse(
                _("The PDF cannot be produced right now; please try again later."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        )
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf.filename)
    response["Content-Length"] = str(len(pdf.content))
    return make_private(response)


def _receipt_of(invoice: InvoicePage, payment_id: int) -> Payment:
    # Found among this invoice's payments only: another invoice's receipt is a 404, like a wrong token.
    for payment in invoice.payments.all():
        if payment.pk == payment_id:
            return payment
    raise Http404


@require_safe
def invoice_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    return pdf_response(invoice_pdf, get_public_invoice(token))


@require_safe
def receipt_pdf_view(request: HttpRequest, token: str, payment_id: int) -> HttpResponse:
    invoice = get_public_invoice(token)
    return pdf_response(receipt_pdf, _receipt_of(invoice, payment_id), invoice)


def _invoice_for_staff(invoice_id: int) -> InvoicePage:
    base = get_object_or_404(InvoicePage.objects.only("pk", "content_type_id"), pk=invoice_id)
    model = base.specific_class or InvoicePage
    return (
        model.objects.select_related("client")
        .prefetch_related("lines", "payments", "adjustments")
        .get(pk=base.pk)
    )


class AdminInvoicePdfView(BillingOnlyMixin, View):
    """The invoice as its page holds it (the published version; a never-published draft), for billing staff."""

    def get(self, request: HttpRequest, invoice_id: int) -> HttpResponse:
        return pdf_response(invoice_pdf, _invoice_for_staff(invoice_id))


class AdminReceiptPdfView(BillingOnlyMixin, View):
    def get(self, request: HttpRequest, payment_id: int) -> HttpResponse:
        invoice_id = get_object_or_404(Payment.objects.only("invoice_id"), pk=payment_id).invoice_id
        invoice = _invoice_for_staff(invoice_id)
        return pdf_response(receipt_pdf, _receipt_of(invoice, payment_id), invoice)
