"""Two reminder jobs at the same moment, as two processes (two cron hosts, or a slow run overlapping the
next): every due reminder goes exactly once, whichever process takes it."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from caseflow_wagtail.models import InvoiceReminder, InvoiceSending, ReminderStatus

from .conftest import send_invoice, set_due

pytestmark = pytest.mark.django_db(transaction=True)

INVOICES = 40
REPO = Path(__file__).resolve().parents[2]

# Each process sets Django up, says it is ready, and starts the job only when told: both start together.
JOB = """
import os, sys, time
import django
django.setup()
from django.core.management import call_command
open(sys.argv[1] + ".ready", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
call_command("caseflow_send_reminders")
"""


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_two_jobs_at_once_send_each_reminder_exactly_once(make_invoice, billing, tmp_path):
    # Sent ten days ago, due in three days: every invoice's "3 days before" step is due today.
    due = timezone.localdate() + datetime.timedelta(days=3)
    numbers = []
    for n in range(INVOICES):
        invoice = set_due(make_invoice(number=f"R-{n:03d}"), due)
        send_invoice(invoice)
        numbers.append(invoice.invoice_number)
    InvoiceSending.objects.update(sent_at=timezone.now() - datetime.timedelta(days=10))

    log, go = tmp_path / "mail.log", tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reminders.two_process_settings",
        "DATABASE_URL": database_url(),
        "CASEFLOW_MAIL_LOG": str(log),
        "PYTHONPATH": str(REPO),
    }
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", JOB, str(tmp_path / f"job{i}"), str(go)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"job{i}.ready").exists() for i in range(2)):
        assert time.monotonic() < deadline, "the jobs did not start"
        assert all(job.poll() is None for job in jobs), [job.communicate() for job in jobs]
        time.sleep(0.05)
    go.touch()
    outputs = [job.communicate(timeout=300) for job in jobs]

    assert [job.returncode for job in jobs] == [0, 0], outputs
    sent = [line.split() for line in log.read_text().splitlines()]
    assert sorted(number for _pid, number, _to in sent) == numbers  # each once, none missing
    assert {to for _pid, _number, to in sent} == {"ada@acme.test"}
    assert len({pid for pid, _number, _to in sent}) == 2, "the two jobs did not overlap"
    reported = [int(out.split(": ")[1].split(" sent")[0]) for out, _err in outputs]
    print(f"reminders sent by each job: {reported}")  # shown with -s: how the two shared the work
    assert sum(reported) == INVOICES
    assert InvoiceReminder.objects.filter(status=ReminderStatus.SENT, days=-3).count() == INVOICES
