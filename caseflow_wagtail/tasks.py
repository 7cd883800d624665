"""Background work, run by django-tasks after the transaction that asked for it commits."""

from __future__ import annotations

from functools import partial

from anymail.signals import tracking
from django.db import transaction
from django.dispatch import receiver
from django_tasks import task

from .mail import receipts
from .mail import sending as invoice_sending
from .models import ReceiptStatus

# The firm's notices are a task of the reconciliation package; named here too, where earlier versions queued it.
from .reconciliation import send_reconciliation_notice  # noqa: F401
from .reminders import runs as reminder_runs
from .signals import invoice_sending_requested, payment_recorded


@task()
def send_receipt(payment_id: int, again: bool = False) -> str:
    return receipts.deliver_receipt(payment_id, again=again)


@task()
def send_invoice(sending_id: int) -> str:
    return invoice_sending.deliver_sending(sending_id)


@task()
def send_reminders(site_id: int | None = None) -> list[dict]:
    """Today's payment reminders on one site or every site; schedule it daily (or run the command)."""
    return [report.as_dict() for report in reminder_runs.run(site_id)]


@task()
def sync_from_stripe(site_id: int | None = None) -> list[dict]:
    """Recover missed Stripe events for one site, or every site with Stripe configured; schedulable."""
    from .reconciliation import recovery

    return [report.as_dict() for report in recovery.sync_sites(site_id)]


@receiver(payment_recorded, dispatch_uid="caseflow_wagtail.enqueue_receipt")
def enqueue_receipt(sender, payment, invoice, **kwargs) -> None:
    if payment.receipt_status == ReceiptStatus.PENDING:
        # After commit: a receipt is never sent for a payment that was rolled back.
        transaction.on_commit(partial(send_receipt.enqueue, payment.pk))


@receiver(tracking, dispatch_uid="caseflow_wagtail.receipt_tracking")
def receipt_tracking(sender, event, esp_name, **kwargs) -> None:
    receipts.mark_from_tracking(event)


@receiver(invoice_sending_requested, dispatch_uid="caseflow_wagtail.enqueue_invoice_sending")
def enqueue_invoice_sending(sender, sending, **kwargs) -> None:
    transaction.on_commit(partial(send_invoice.enqueue, sending.pk))


@receiver(tracking, dispatch_uid="caseflow_wagtail.invoice_sending_tracking")
def invoice_sending_tracking(sender, event, esp_name, **kwargs) -> None:
    invoice_sending.mark_from_tracking(event)
