from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from caseflow_wagtail import ledger
from caseflow_wagtail.models import InvoicePage


def pay(invoice: InvoicePage, amount: str, **kwargs) -> None:
    kwargs.setdefault("method", "bank_transfer")
    ledger.record_payment(invoice, amount=Decimal(amount), currency=invoice.currency, **kwargs)
    invoice.refresh_from_db()


def make_overdue(invoice: InvoicePage) -> None:
    today = timezone.localdate()
    InvoicePage.objects.filter(pk=invoice.pk).update(
        issue_date=today - datetime.timedelta(days=40), due_date=today - datetime.timedelta(days=10)
    )
    invoice.refresh_from_db()


def make_void(invoice: InvoicePage, reason: str = "Issued in error") -> None:
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now(), void_reason=reason)
    invoice.refresh_from_db()
