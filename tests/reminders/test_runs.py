"""The reminder job itself: what it prints, a mail service that fails, tracking, and several sites."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.core.management import CommandError
from wagtail.models import Page, Site

from caseflow_wagtail.models import (
    BillingSettings,
    InvoiceIndexPage,
    InvoicePage,
    InvoiceReminder,
    ReminderStatus,
    ReminderStep,
)

from .conftest import run_job, send_invoice, set_due

pytestmark = pytest.mark.django_db

SENT_ON = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
DAY_OF_STEP = datetime.datetime(2026, 3, 7, 9, 0, tzinfo=datetime.UTC)  # -3 days for a 10 March due date


@pytest.fixture
def sent_invoice(make_invoice, billing) -> InvoicePage:
    with time_machine.travel(SENT_ON, tick=False):
        invoice = set_due(make_invoice(number="INV-7"), datetime.date(2026, 3, 10))
        send_invoice(invoice)
    return invoice


def reminders_sent() -> list:
    return [m for m in mail.outbox if "invoice-reminder" in m.tags]


def test_the_job_says_what_it_sent_and_a_dry_run_sends_nothing(sent_invoice):
    with time_machine.travel(DAY_OF_STEP, tick=False):
        listed = run_job("--dry-run")
        assert reminders_sent() == []
        done = run_job("-v", "2")
        again = run_job()

    assert "1 would be sent" in listed and "INV-7 to ada@acme.test: 3 days before the due date" in listed
    assert "localhost: 1 sent." in done and "INV-7" in done
    assert "localhost: 0 sent." in again
    (message,) = reminders_sent()
    assert message.to == ["ada@acme.test"] and message.reply_to == ["accounts@firm.test"]
    assert message.metadata["invoice_number"] == "INV-7"
    assert sent_invoice.get_full_url() in message.body


def test_an_unknown_site_is_refused(home_page):
    with pytest.raises(CommandError, match="There is no site with id 999"):
        run_job("--site", "999")


def test_a_failed_reminder_is_sent_once_on_the_next_run_when_the_mail_service_is_back(sent_invoice, postmark):
    with time_machine.travel(DAY_OF_STEP, tick=False):
        with pytest.raises(CommandError, match="1 reminders could not be sent"):
            run_job()
        reminder = InvoiceReminder.objects.get(invoice=sent_invoice)
        assert reminder.status == ReminderStatus.FAILED and "500" in reminder.error

        postmark.down = False
        assert "1 sent" in run_job()
        assert "0 sent" in run_job()

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.sent_at is not None
    delivered = postmark.sent()
    assert len(delivered) == 1 and delivered[0]["To"] == "ada@acme.test"
    assert reminder.message_id == delivered[0]["MessageID"]


def test_tracking_marks_a_reminder_bounced(sent_invoice):
    with time_machine.travel(DAY_OF_STEP, tick=False):
        run_job()
    reminder = InvoiceReminder.objects.get(invoice=sent_invoice)

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type="bounced",
            metadata={"invoice_reminder_id": str(reminder.pk)},
            description="Mailbox full",
        ),
        esp_name="Test",
    )

    reminder.refresh_from_db()
    assert (reminder.status, reminder.error) == (ReminderStatus.BOUNCED, "Mailbox full")


def test_each_site_follows_its_own_schedule_and_switch(make_invoice, billing, billing_client):
    home = Page.get_first_root_node().add_child(instance=Page(title="Second firm", slug="second"))
    index = home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
    other_site = Site.objects.create(hostname="second.test", root_page=home, site_name="Second")
    other = BillingSettings.for_site(other_site)
    assert other.send_reminders is False
    with time_machine.travel(SENT_ON, tick=False):
        ours = set_due(make_invoice(number="OURS"), datetime.date(2026, 3, 10))
        theirs = make_invoice(number="THEIRS")
        theirs.move(index, pos="last-child")
        theirs = set_due(InvoicePage.objects.get(pk=theirs.pk), datetime.date(2026, 3, 10))
        send_invoice(ours)
        send_invoice(theirs)

    with time_machine.travel(DAY_OF_STEP, tick=False):
        output = run_job()
        assert "Second: reminders are off." in output
        assert [m.metadata["invoice_number"] for m in reminders_sent()] == ["OURS"]

        # The second site turns reminders on with one step only, a day after the due date.
        other.send_reminders = True
        other.save()
        ReminderStep.objects.filter(settings=other).delete()
        ReminderStep.objects.create(
            settings=other, days=1, subject="{{ invoice_number }}", text_body="{{ amount_due }}"
        )
        assert "Second: 0 sent." in run_job()

    with time_machine.travel(datetime.datetime(2026, 3, 11, 9, 0, tzinfo=datetime.UTC), tick=False):
        run_job()
    # Ours gets its due-date step (late: the job did not run on the 10th); theirs its own single step.
    assert [m.metadata["invoice_number"] for m in reminders_sent()] == ["OURS", "OURS", "THEIRS"]
    assert reminders_sent()[2].subject == "THEIRS"
    assert list(InvoiceReminder.objects.filter(invoice=theirs).values_list("days", flat=True)) == [1]


def test_reminders_carry_the_invoice_pdf_when_the_firm_attaches_it_to_invoice_emails(sent_invoice, billing):
    import io

    from pypdf import PdfReader

    billing.attach_invoice_pdf = True
    billing.save()
    with time_machine.travel(DAY_OF_STEP, tick=False):
        run_job()

    (message,) = reminders_sent()
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == ("invoice-INV-7.pdf", "application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "INV-7" in text
