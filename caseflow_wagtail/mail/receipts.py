"""Receipts: built from the firm's ``payment-recorded`` template (see ``mail``), sent at most once, and
marked delivered or bounced from anymail's tracking events."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from functools import partial

from anymail.message import AnymailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import money
from ..accounts.links import account_url
from ..firm import firm_details
from ..invoices.sites import invoice_site
from ..models import CombinedPayment, Payment, ReceiptStatus
from ..models.settings import BillingSettings
from ..pdfs.documents import receipt_pdf
from .messages import attach_pdf, build_email

logger = logging.getLogger(__name__)

RECEIPT_TAG = "payment-recorded"


def _settled_line(payment: Payment, invoice) -> str:
    return _("Invoice %(number)s: %(amount)s received, balance %(balance)s (%(status)s)") % {
        "number": invoice.invoice_number,
        "amount": money.format_money(payment.amount, payment.currency),
        "balance": money.format_money(max(invoice.balance, 0), invoice.currency),
        "status": invoice.status.label,
    }


def _combined_values(payment: Payment, combined: CombinedPayment, site: Site | None) -> dict[str, str]:
    """A payment shared by several invoices: one receipt for all of them (sent from the first share)."""
    shares = list(combined.allocations.select_related("invoice").order_by("pk"))
    invoices = [share.invoice for share in shares]
    statuses = {invoice.status for invoice in invoices}
    return {
        "invoice_number": ", ".join(invoice.invoice_number for invoice in invoices),
        "amount": combined.display_amount,
        "balance": money.format_money(
            sum((max(invoice.balance, Decimal(0)) for invoice in invoices), Decimal(0)), combined.currency
        ),
        "status": str(statuses.pop().label) if len(statuses) == 1 else str(_("Several")),
        "invoice_link": account_url(payment.invoice.client, site),
        "payment_card": str(combined.display_card),
        "invoices": "\n".join(_settled_line(share, share.invoice) for share in shares),
    }


def receipt_values(payment: Payment, invoice, site: Site | None) -> dict[str, str]:
    client = invoice.client
    values = {
        "invoice_number": invoice.invoice_number,
        "amount": money.format_money(payment.amount, payment.currency),
        "balance": money.format_money(max(invoice.balance, 0), invoice.currency),
        "status": str(invoice.status.label),
        "client_name": client.name,
        "contact_name": client.contact_name or client.name,
        "invoice_link": invoice.get_full_url() or "",
        "payment_date": payment.received_on.isoformat(),
        "payment_method": str(payment.get_method_display()),
        "payment_card": str(payment.display_card),
        "invoices": _settled_line(payment, invoice),
        **firm_details(site).merge_values(),
    }
    if payment.combined_payment is not None:
        values.update(_combined_values(payment, payment.combined_payment, site))
    return values


def build_receipt(payment: Payment) -> AnymailMessage:
    invoice = payment.invoice.specific
    site = invoice_site(invoice)
    billing = BillingSettings.for_site(site) if site else None
    message = build_email(
        RECEIPT_TAG,
        receipt_values(payment, invoice, site),
        to=[invoice.client.contact_email],
        reply_to=billing.billing_email if billing else "",
        metadata={
            "payment_id": str(payment.pk),
            "invoice_id": str(invoice.pk),
            **(
                {"combined_payment_id": str(payment.combined_payment_id)}
                if payment.combined_payment_id
                else {}
            ),
        },
    )
    if billing is not None and billing.attach_receipt_pdf:
        attach_pdf(
            message,
            partial(receipt_pdf, payment, invoice),
            logger=logger,
            what=f"Receipt PDF for payment {payment.pk}",
        )
    return message


DONE = (ReceiptStatus.SENT, ReceiptStatus.DELIVERED, ReceiptStatus.BOUNCED)


def deliver_receipt(payment_id: int, *, again: bool = False) -> str:
    """Send a payment's receipt unless it already went out (``again``: a resend staff asked for).

    At most once, whatever runs at the same time or fails: the receipt is first claimed by one conditional
    UPDATE that only one worker can win (on SQLite as on PostgreSQL), the message is sent outside any
    transaction, and only then is the outcome written. A worker that dies after claiming leaves the receipt
    "Sending", never sent twice by itself.
    """
    claimable = [ReceiptStatus.PENDING, ReceiptStatus.FAILED]
    if again:
        claimable += [*DONE, ReceiptStatus.NOT_SENT, ReceiptStatus.SENDING]
    with transaction.atomic():
        claimed = Payment.objects.filter(pk=payment_id, receipt_status__in=claimable).update(
            receipt_status=ReceiptStatus.SENDING,
            receipt_claimed_at=timezone.now(),
            receipt_attempts=F("receipt_attempts") + 1,
        )
    if not claimed:
        return "already sent"
    payment = Payment.objects.select_related("invoice").get(pk=payment_id)
    mine = Payment.objects.filter(pk=payment_id, receipt_status=ReceiptStatus.SENDING)
    invoice = payment.invoice.specific
    recipient = invoice.client.contact_email
    if not recipient:
        mine.update(
            receipt_status=ReceiptStatus.NOT_SENT, receipt_error="The client has no primary contact email."
        )
        return "no recipient"
    try:
        message = build_receipt(payment)
        message.send()
    except Exception as error:
        # A mail failure never touches the payment itself; the receipt is retried later.
        logger.warning("Receipt for payment %s not sent: %s", payment.pk, type(error).__name__)
        mine.update(
            receipt_status=ReceiptStatus.FAILED, receipt_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return "failed"
    status = message.anymail_status
    mine.update(
        receipt_status=ReceiptStatus.SENT,
        receipt_to=recipient,
        receipt_message_id=(status.message_id or "") if status else "",
        receipt_sent_at=timezone.now(),
        receipt_error="",
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
