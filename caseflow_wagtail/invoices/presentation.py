"""What templates show of an invoice, prepared once so that templates never compute money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from wagtail.models import Site

from ..firm import firm_details
from ..models.gateway import PaymentGatewaySettings
from ..models.subscriptions import Subscription
from ..payments.pay_now import pay_now_for
from .sites import invoice_site


@dataclass(frozen=True, slots=True)
class LineRow:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None
    amount: Decimal


def site_for(request: HttpRequest | None, invoice) -> Site | None:
    """The invoice's own site (``sites.invoice_site``); the request's only for an unsaved preview."""
    site = invoice_site(invoice)
    if site is None and invoice.pk is None and request is not None:
        return Site.find_for_request(request)
    return site


def invoice_summary(invoice, request: HttpRequest | None) -> dict[str, Any]:
    """Payments, adjustments and the public link: what both the client and the editor see."""
    if invoice.pk is None:
        # The preview of an invoice not yet saved: nothing can have been paid against it.
        return {"payments": [], "adjustments": [], "public_url": None}
    return {
        # Sorted here rather than with order_by, which would bypass the public view's prefetch.
        "payments": sorted(
            invoice.payments.all(), key=lambda payment: (payment.received_on, payment.created_at)
        ),
        "adjustments": sorted(invoice.adjustments.all(), key=lambda adjustment: adjustment.created_at),
        "public_url": invoice.get_full_url(request),
    }


def invoice_context(invoice, request: HttpRequest | None) -> dict[str, Any]:
    lines = [
        LineRow(
            description=line.description,
            quantity=line.quantity.normalize() if line.quantity is not None else Decimal(0),
            unit_price=line.unit_price,
            tax_rate=line.tax_rate.normalize() if line.tax_rate else None,
            amount=line.amount_in(invoice.currency),
        )
        for line in invoice.lines.all()
    ]
    context = invoice_summary(invoice, request)
    gateway = gateway_for(request, invoice)
    firm = firm_details(site_for(request, invoice))
    context.update(
        invoice=invoice,
        lines=lines,
        has_tax=any(row.tax_rate for row in lines),
        firm=firm,
        firm_name=firm.name,
        status=invoice.status,
        pay_now=pay_now_for(invoice, gateway),
        card_update_url=card_update_url_for(invoice, gateway),
        body_has_pay_now=any(block.block_type == "pay_now" for block in invoice.body),
        pdf_url=pdf_url_for(invoice),
        # Set by the pay view when it refuses the amount the client typed.
        pay_error=getattr(request, "caseflow_pay_error", None),
    )
    return context


def pdf_url_for(invoice) -> str:
    """The client's "Download PDF" link: only behind a live invoice's token, like the page itself."""
    if invoice.pk is None or not invoice.live:
        return ""
    return reverse("caseflow_wagtail:invoice_pdf", kwargs={"token": invoice.public_token})


def gateway_for(request: HttpRequest | None, invoice) -> PaymentGatewaySettings | None:
    site = invoice_site(invoice)
    return PaymentGatewaySettings.for_site(site) if site is not None else None


def card_update_url_for(invoice, gateway: PaymentGatewaySettings | None) -> str:
    """The invoice page's "Update card" link: only for a retainer client, only when the firm allows it."""
    if invoice.pk is None or Subscription.objects.card_update_for(invoice, gateway) is None:
        return ""
    return reverse("caseflow_wagtail:invoice_update_card", kwargs={"token": invoice.public_token})
