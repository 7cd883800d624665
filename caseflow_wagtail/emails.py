"""Receipts: rendered from the firm's editable template and sent through Django's mail API with anymail's
extras (tag and metadata), so any anymail backend can deliver and report on them."""

from __future__ import annotations

import datetime
import logging

from anymail.message import AnymailMessage
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import money
from .email_defaults import DEFAULTS
from .models import EmailTemplate, Payment, ReceiptStatus
from .models.settings import BillingSettings

logger = logging.getLogger(__name__)

RECEIPT_TAG = "payment-recorded"


def get_template(slug: str) -> EmailTemplate:
    template, _created = EmailTemplate.objects.get_or_create(slug=slug, defaults=DEFAULTS[slug])
    return template


def receipt_values(payment: Payment, invoice, billing: BillingSettings | None) -> dict[str, str]:
    client = invoice.client
    return {
        "invoice_number": invoice.invoice_number,
        "amount": money.format_money(payment.amount, payment.currency),
        "balance": money.format_money(max(invoice.balance, 0), invoice.currency),
        "status": str(invoice.status.label),
        "client_name": client.name,
        "contact_name": client.contact_name or client.name,
        "firm_name": billing.get_firm_name() if billing else "",
        "invoice_link": invoice.get_full_url() or "",
        "payment_date": payment.received_on.isoformat(),
        "payment_method": str(payment.get_method_display()),
    }


def build_receipt(payment: Payment) -> AnymailMessage:
    invoice = payment.invoice.specific
    site = invoice.get_site()
    billing = BillingSettings.for_site(site) if site else None
    subject, text, html = get_template("payment-recorded").render(receipt_values(payment, invoice, billing))
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invoice.client.contact_email],
        reply_to=[billing.billing_email] if billing and billing.billing_email else None,
        tags=[RECEIPT_TAG],
        metadata={"payment_id": str(payment.pk), "invoice_id": str(invoice.pk)},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


DONE = (ReceiptStatus.SENT, ReceiptStatus.DELIVERED, ReceiptStatus.BOUNCED)


def deliver_receipt(payment_id: int, *, again: bool = False) -> str:
    """Send a payment's receipt unless it already went out (``again``: a resend staff asked for).

    Holds the payment row so that two workers (a retry racing the first attempt) cannot both send.
    """
    with transaction.atomic():
        # The payment row only: joining the invoice would lock it too, after the payment, while the ledger
        # locks the invoice first and then updates the payment (a twin event) — a deadlock on PostgreSQL.
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.receipt_status in DONE and not again:
            return "already sent"
        invoice = payment.invoice.specific
        recipient = invoice.client.contact_email
        if not recipient:
            payment.receipt_status = ReceiptStatus.NOT_SENT
            payment.receipt_error = "The client has no primary contact email."
            payment.save(update_fields=["receipt_status", "receipt_error"])
            return "no recipient"
        payment.receipt_attempts += 1
        try:
            message = build_receipt(payment)
            message.send()
        except Exception as error:
            # A mail failure never touches the payment itself; the receipt is retried later.
            logger.warning("Receipt for payment %s not sent: %s", payment.pk, type(error).__name__)
            payment.receipt_status = ReceiptStatus.FAILED
            payment.receipt_error = f"{type(error).__name__}: {error}"[:2000]
            payment.save(update_fields=["receipt_status", "receipt_error", "receipt_attempts"])
            return "failed"
        status = message.anymail_status
        payment.receipt_status = ReceiptStatus.SENT
        payment.receipt_to = recipient
        payment.receipt_message_id = (status.message_id or "") if status else ""
        payment.receipt_sent_at = timezone.now()
        payment.receipt_error = ""
        payment.save(
            update_fields=[
                "receipt_status",
                "receipt_to",
                "receipt_message_id",
                "receipt_sent_at",
                "receipt_error",
                "receipt_attempts",
            ]
        )
        return "sent"


def mark_from_tracking(event) -> bool:
    """Apply an anymail tracking event (delivered, bounced…) to the payment whose receipt it concerns."""
    metadata = getattr(event, "metadata", None) or {}
    payments = Payment.objects.all()
    if metadata.get("payment_id"):
        payments = payments.filter(pk=metadata["payment_id"])
    elif getattr(event, "message_id", None):
        payments = payments.filter(receipt_message_id=event.message_id)
    else:
        return False
    status = {
        "delivered": ReceiptStatus.DELIVERED,
        "bounced": ReceiptStatus.BOUNCED,
        "rejected": ReceiptStatus.BOUNCED,
    }
    new = status.get(getattr(event, "event_type", ""))
    if new is None:
        return False
    return bool(payments.update(receipt_status=new))


def receipts_to_retry():
    """Receipts that failed, or were left pending (a worker that died before sending)."""
    stale = timezone.now() - datetime.timedelta(minutes=5)
    return Payment.objects.filter(
        Q(receipt_status=ReceiptStatus.FAILED) | Q(receipt_status=ReceiptStatus.PENDING, created_at__lt=stale)
    ).order_by("created_at")
