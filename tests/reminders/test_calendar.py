"""Thirty days of reminder runs, twice a day, with payments, voids, pauses and late sendings in between.

The expected table is the product's promise: which reminder reaches which client on which day. The job does
not run from 18 to 22 March; what was due then goes once, late, on the 23rd.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from caseflow_wagtail import ledger
from caseflow_wagtail.models import Client, InvoicePage, InvoiceReminder, ReminderStatus

from .conftest import reminder_days, run_job, send_invoice, set_due

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
JOB_OFF = {datetime.date(2026, 3, day) for day in range(18, 23)}


def march(day: int) -> datetime.date:
    return datetime.date(2026, 3, day)


# invoice -> [(day it was emailed, step)]
EXPECTED = {
    "ON-TIME": [(7, -3), (10, 0), (17, 7), (24, 14)],
    # Paid in full on the 8th: nothing after the first reminder.
    "PAID": [(7, -3)],
    # Part paid on the 9th (the next reminder asks for the rest), the rest on the 20th.
    "PART-PAID": [(7, -3), (10, 0), (17, 7)],
    # First sent on the 12th, after its -3, 0 and +7 days: those are covered by the sending itself.
    "SENT-LATE": [(17, 14)],
    # Sent the day before it was due: "due today" waits three days after that email, then goes once.
    "SENT-EVE": [(12, 0), (17, 7), (24, 14)],
    # Its -3 (18th) and due date (21st) fall while the job is off: one email on the 23rd, then +7.
    "MISSED": [(23, 0), (28, 7)],
    # Sent on the 1st, due on the 5th: each email waits three days after the one before (-3 on the 4th,
    # due on the 7th); its +14 (19th) falls while the job is off: sent late, once, on the 23rd.
    "LATE-14": [(4, -3), (7, 0), (12, 7), (23, 14)],
    "VOIDED": [(7, -3)],  # voided on the 9th
    # Paused on the 9th, resumed on the 20th: the latest step reached (+7) goes at the next run, once; +14
    # waits three days after it.
    "PAUSED": [(7, -3), (23, 7), (26, 14)],
    "NEVER-SENT": [],
    "OPTED-OUT": [],  # the client takes no reminders
    "DRAFT": [],
    "NOTHING-DUE": [],  # a zero-total invoice
}


@pytest.fixture
def invoices(make_invoice, billing) -> dict[str, InvoicePage]:
    opted_out = Client.objects.create(
        name="Quiet Ltd", contact_email="quiet@client.test", send_reminders=False
    )
    made = {}
    for number, due_day in [
        ("ON-TIME", 10),
        ("PAID", 10),
        ("PART-PAID", 10),
        ("SENT-LATE", 3),
        ("SENT-EVE", 10),
        ("MISSED", 21),
        ("LATE-14", 5),
        ("VOIDED", 10),
        ("PAUSED", 10),
        ("NEVER-SENT", 10),
        ("OPTED-OUT", 10),
        ("DRAFT", 10),
        ("NOTHING-DUE", 10),
    ]:
        invoice = make_invoice(
            number=number,
            lines=[("Advice", "0" if number == "NOTHING-DUE" else "1", "1000.00", None)],
            publish=number != "DRAFT",
            client=opted_out if number == "OPTED-OUT" else None,
        )
        made[number] = set_due(invoice, march(due_day))
    return made


def emailed(outbox_start: int) -> list[tuple[str, int]]:
    sent = []
    for message in mail.outbox[outbox_start:]:
        reminder = InvoiceReminder.objects.get(pk=message.metadata["invoice_reminder_id"])
        sent.append((message.metadata["invoice_number"], reminder.days))
    return sent


def test_thirty_days_of_reminders(invoices):
    got: dict[str, list[tuple[int, int]]] = {number: [] for number in invoices}
    with time_machine.travel(START, tick=False) as clock:
        for number, invoice in invoices.items():
            if number not in {"NEVER-SENT", "DRAFT", "SENT-LATE", "SENT-EVE"}:
                send_invoice(invoice)
        for day in range(1, 31):
            today = march(day)
            # What happens during the day, between the morning and the evening runs or before them.
            clock.move_to(datetime.datetime(2026, 3, day, 7, 0, tzinfo=datetime.UTC))
            happenings(today, invoices)
            if today in JOB_OFF:
                continue
            for hour in (9, 17):  # the job runs twice a day
                clock.move_to(datetime.datetime(2026, 3, day, hour, 0, tzinfo=datetime.UTC))
                assert timezone.localdate() == today
                start = len(mail.outbox)
                run_job()
                for number, days in emailed(start):
                    got[number].append((day, days))

    assert got == EXPECTED
    # Each step went once: the evening runs sent nothing the morning ones had.
    assert InvoiceReminder.objects.filter(status=ReminderStatus.SENT).count() == sum(
        map(len, EXPECTED.values())
    )
    assert reminder_days(invoices["MISSED"], ReminderStatus.SKIPPED) == [-3]
    assert reminder_days(invoices["PAUSED"], ReminderStatus.SENT) == [-3, 7, 14]


def happenings(today: datetime.date, invoices: dict[str, InvoicePage]) -> None:
    if today == march(8):
        pay(invoices["PAID"], "1000.00")
    if today == march(9):
        pay(invoices["PART-PAID"], "400.00")
        InvoicePage.objects.filter(pk=invoices["VOIDED"].pk).update(
            voided_at=timezone.now(), void_reason="Issued in error"
        )
        InvoicePage.objects.filter(pk=invoices["PAUSED"].pk).update(reminders_paused=True)
        send_invoice(invoices["SENT-EVE"])
    if today == march(12):
        send_invoice(invoices["SENT-LATE"])
    if today == march(20):
        pay(invoices["PART-PAID"], "600.00")
        InvoicePage.objects.filter(pk=invoices["PAUSED"].pk).update(reminders_paused=False)


def pay(invoice: InvoicePage, amount: str) -> None:
    ledger.record_payment(invoice, amount=Decimal(amount), currency="USD", method="cash", send_receipt=False)


def test_a_part_payment_between_runs_makes_the_next_reminder_ask_for_the_rest(invoices):
    with time_machine.travel(datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        send_invoice(invoices["PART-PAID"])
        pay(invoices["PART-PAID"], "400.00")
        clock.move_to(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC))
        start = len(mail.outbox)
        run_job()
    (message,) = [m for m in mail.outbox[start:] if m.metadata["invoice_number"] == "PART-PAID"]
    assert "Invoice PART-PAID is due today" in message.subject
    assert "Amount due: $600.00" in message.body
