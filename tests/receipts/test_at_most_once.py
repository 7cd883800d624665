"""A receipt goes out at most once, whatever runs at the same time and whatever fails after it was sent."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.urls import reverse
from django.utils import timezone

from caseflow_wagtail import ledger
from caseflow_wagtail.mail.receipts import deliver_receipt
from caseflow_wagtail.models import Payment, PaymentMethod, ReceiptStatus
from tests.db_faults import fail_once

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def queued_payment(invoice) -> Payment:
    """A payment whose receipt is queued, not yet sent by anyone."""
    payment = ledger.record_payment(
        invoice,
        amount=Decimal("40.00"),
        currency=invoice.currency,
        method=PaymentMethod.BANK_TRANSFER,
        send_receipt=False,
    ).entry
    Payment.objects.filter(pk=payment.pk).update(receipt_status=ReceiptStatus.PENDING)
    return payment


def test_workers_racing_for_one_receipt_send_it_once(make_invoice):
    payment = queued_payment(make_invoice())
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(deliver_receipt(payment.pk))
        except DatabaseError as error:  # a locked database: this worker sends nothing
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("sent") == 1
    assert len(mail.outbox) == 1
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENT
    call_command("caseflow_send_receipts")
    assert len(mail.outbox) == 1


def test_a_worker_that_died_while_sending_is_never_followed_by_a_second_receipt(admin_client, make_invoice):
    payment = queued_payment(make_invoice())
    # What a worker that claimed the receipt and died (before or after the message left) leaves behind.
    Payment.objects.filter(pk=payment.pk).update(receipt_status=ReceiptStatus.SENDING)

    call_command("caseflow_send_receipts")
    assert deliver_receipt(payment.pk) == "already sent"
    assert mail.outbox == []

    # Staff, who can check with the client, may send it again.
    admin_client.post(reverse("caseflow_wagtail_admin:resend_receipt", args=[payment.pk]))
    assert len(mail.outbox) == 1


def sent_status_refused_once():
    """A real database failure at the worst moment: the write saying "sent" fails, once."""
    return fail_once(
        Payment._meta.db_table, "UPDATE", "NEW.receipt_status = 'sent'", "injected: connection lost"
    )


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRES, reason="the trigger is written in PL/pgSQL: set DATABASE_URL=postgres://…"
)
def test_a_receipt_sent_whose_outcome_could_not_be_written_is_not_sent_again(make_invoice):
    payment = queued_payment(make_invoice())

    with sent_status_refused_once():
        with pytest.raises(DatabaseError):
            deliver_receipt(payment.pk)
        assert len(mail.outbox) == 1  # the message left before the database failed
        # The retry command runs later, when a receipt left queued is overdue.
        Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
        call_command("caseflow_send_receipts")

    assert len(mail.outbox) == 1
    payment.refresh_from_db()
    assert payment.receipt_status == ReceiptStatus.SENDING
