from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from wagtail.models import Site

from caseflow_wagtail.mail import sending
from caseflow_wagtail.models import BillingSettings, InvoicePage, InvoiceReminder, SendingStatus
from tests.admin.conftest import admin_client, editor, superuser  # noqa: F401  (fixtures)


@pytest.fixture
def billing(home_page) -> BillingSettings:
    """The default site's settings with reminders on (the default schedule: -3, 0, +7, +14 days)."""
    settings = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    settings.firm_name = "Lovelace & Babbage LLP"
    settings.billing_email = "accounts@firm.test"
    settings.send_reminders = True
    settings.save()
    return settings


def send_invoice(invoice: InvoicePage) -> None:
    """Email the invoice to its client now, as Send invoice does."""
    outcome = sending.request_sending(invoice, user=None, cc_firm=False, request_key=uuid.uuid4().hex)
    assert outcome.sending is not None, outcome.refused
    # Outside a test's transaction the task has already sent it, on commit.
    sending.deliver_sending(outcome.sending.pk)
    outcome.sending.refresh_from_db()
    assert outcome.sending.status == SendingStatus.SENT, outcome.sending.error


def set_due(invoice: InvoicePage, due: datetime.date) -> InvoicePage:
    InvoicePage.objects.filter(pk=invoice.pk).update(
        issue_date=due - datetime.timedelta(days=30), due_date=due
    )
    invoice.refresh_from_db()
    return invoice


def reminder_days(invoice: InvoicePage, status: str) -> list[int]:
    return sorted(
        InvoiceReminder.objects.filter(invoice=invoice, status=status).values_list("days", flat=True)
    )


def run_job(*args: str) -> str:
    """``manage.py caseflow_send_reminders``, as cron runs it; what it printed."""
    out = io.StringIO()
    call_command("caseflow_send_reminders", *args, stdout=out)
    return out.getvalue()
