"""Emails to the firm's billing contact about a refund, a dispute or a payment set aside, sent by the task
worker after the change commits."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.admin.utils import get_admin_base_url

from ..invoices.sites import invoice_site
from ..mail.messages import build_email
from ..models import (
    StripeDispute,
    StripeRefund,
)
from ..models.settings import BillingSettings
from .common import REFUND_NOTICE, UNAPPLIED_NOTICE

logger = logging.getLogger(__name__)


# -- notices to the firm ---------------------------------------------------------------------------------


def _admin_url(name: str) -> str:
    return get_admin_base_url() + reverse(name)


def notice_values(kind: str, row: StripeRefund | StripeDispute) -> dict[str, str]:
    invoice = row.invoice.specific
    site = invoice_site(invoice)
    values = {
        "invoice_number": invoice.invoice_number,
        "client_name": invoice.client.name,
        "amount": row.display_amount,
        "firm_name": BillingSettings.for_site(site).get_firm_name() if site else "",
        "review_link": _admin_url("caseflow_reconciliation:index"),
        "status": row.status_label,
    }
    if isinstance(row, StripeRefund):
        values["date"] = row.refunded_at.date().isoformat()
        values["reconciliation"] = (
            _("Recorded automatically as a refund: the balance is due again.")
            if row.adjustment_id
            else _("Not yet reconciled: record it as a refund or a credit in Billing → Reconciliation.")
        )
    else:
        values["reason"] = row.reason_label
        values["evidence_due"] = row.evidence_due_by.date().isoformat() if row.evidence_due_by else "—"
        values["date"] = row.opened_at.date().isoformat()
    return values


def _unapplied_notice_values(row) -> dict[str, str]:
    invoice = row.invoice
    return {
        "amount": row.display_amount,
        "date": row.created_at.date().isoformat(),
        "reason": str(row.get_reason_display()),
        "invoice_number": invoice.invoice_number if invoice else "—",
        "client_name": row.client.name if row.client else "—",
        "review_link": _admin_url("caseflow_reconciliation:index"),
        "firm_name": BillingSettings.for_site(row.site).get_firm_name() if row.site else "",
    }


def _send_unapplied_notice(pk: int) -> str:
    from ..models import UnappliedPayment

    row = UnappliedPayment.objects.select_related("site", "invoice", "client").filter(pk=pk).first()
    if row is None:
        return "gone"
    # The site whose Stripe account took the money: its billing contact is the one who can act.
    recipient = BillingSettings.for_site(row.site).billing_email if row.site else ""
    if not recipient:
        logger.warning("No billing email set: the unapplied payment %s notice was not sent", pk)
        return "no recipient"
    build_email(
        UNAPPLIED_NOTICE,
        _unapplied_notice_values(row),
        to=[recipient],
        metadata={"unapplied_id": str(row.pk)},
    ).send()
    return "sent"


def send_notice(kind: str, pk: int) -> str:
    """Email the firm's billing contact about a Stripe refund, dispute or payment set aside."""
    if kind == UNAPPLIED_NOTICE:
        return _send_unapplied_notice(pk)
    model = StripeRefund if kind == REFUND_NOTICE else StripeDispute
    row = model.objects.select_related("invoice").filter(pk=pk).first()
    if row is None:
        return "gone"
    site = invoice_site(row.invoice.specific)
    recipient = BillingSettings.for_site(site).billing_email if site else ""
    if not recipient:
        logger.warning("No billing email set: the %s notice for %s was not sent", kind, row.stripe_id)
        return "no recipient"
    build_email(
        kind,
        notice_values(kind, row),
        to=[recipient],
        metadata={"invoice_id": str(row.invoice_id), "stripe_id": row.stripe_id},
    ).send()
    return "sent"


@task()
def send_reconciliation_notice(kind: str, pk: int) -> str:
    """Tell the firm's billing contact about a refund or dispute made in Stripe, or a payment set aside."""
    return send_notice(kind, pk)


def notify_after_commit(kind: str, pk: int) -> None:
    transaction.on_commit(partial(send_reconciliation_notice.enqueue, kind, pk))
