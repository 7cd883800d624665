"""Credits (amounts forgiven) never exceed the invoice's total, whichever way a change is published; so an
invoice is overpaid only when money was actually received beyond what is owed, and that much is refundable."""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import InvoiceLine, InvoicePage, InvoiceStatus
from tests.admin.test_currency_lock import edit_form
from tests.admin.test_invoice_create import all_errors

from .test_ledger import credit, pay, refund, reload, state

pytestmark = pytest.mark.django_db

REFUSAL = "This invoice has $60.00 in credits; its total cannot go below that."


@pytest.fixture
def credited(make_invoice) -> InvoicePage:
    """Total 100.00, of which 60.00 forgiven: 40.00 due, nothing paid."""
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    credit(invoice, "60.00")
    return reload(invoice)


def with_price(invoice: InvoicePage, price: str) -> InvoicePage:
    page = reload(invoice)
    page.lines = [InvoiceLine(description="Advice", quantity=Decimal(1), unit_price=Decimal(price))]
    return page


def saved(invoice: InvoicePage, price: str) -> None:
    with_price(invoice, price).save()


def published_revision(invoice: InvoicePage, price: str) -> None:
    with_price(invoice, price).save_revision().publish()


def draft_published_later(invoice: InvoicePage, price: str) -> None:
    # Saving the draft is allowed (it changes no totals); publishing it is not.
    revision = with_price(invoice, price).save_revision()
    assert reload(invoice).total == Decimal("100.00")
    revision.publish()


def scheduled(invoice: InvoicePage, price: str) -> None:
    page = with_price(invoice, price)
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # approved for the future: nothing changes yet
    assert reload(invoice).total == Decimal("100.00")
    # The hour passes.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled")


PUBLISHING_PATHS = [saved, published_revision, draft_published_later, scheduled]


def books(invoice: InvoicePage) -> tuple:
    row = reload(invoice)
    return (
        state(invoice),
        row.total,
        [line.unit_price for line in row.lines.all()],
    )


@pytest.mark.parametrize("publish", PUBLISHING_PATHS, ids=[path.__name__ for path in PUBLISHING_PATHS])
def test_a_total_below_the_credits_is_refused_on_every_publishing_path(credited, publish):
    before = books(credited)

    with pytest.raises(ValidationError, match=REFUSAL.replace("$", r"\$")):
        publish(credited, "50.00")

    assert books(credited) == before
    row = reload(credited)
    assert row.balance == Decimal("40.00")
    assert not row.is_overpaid
    assert row.status == InvoiceStatus.UNPAID


def test_the_editor_refuses_a_total_below_the_credits_with_an_error_on_the_lines(admin_client, credited):
    before = books(credited)
    data = edit_form(credited)
    data["lines-0-unit_price"] = "50.00"

    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[credited.pk]), data)

    assert response.status_code == 200
    assert REFUSAL in all_errors(response)
    assert REFUSAL in " ".join(response.context["form"].formsets["lines"].non_form_errors())
    assert REFUSAL in response.content.decode()
    assert books(credited) == before


@pytest.mark.parametrize("action", ["action-publish", None])
def test_the_editor_accepts_a_total_down_to_the_credits(admin_client, credited, action):
    data = edit_form(credited)
    data["lines-0-unit_price"] = "60.00"
    if action is None:
        data.pop("action-publish")  # save a draft

    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[credited.pk]), data)

    assert response.status_code == 302, all_errors(response)
    row = reload(credited)
    if action is None:
        assert row.total == Decimal("100.00")
        row.get_latest_revision().publish()
        row = reload(credited)
    assert (row.total, row.amount_credited, row.balance) == (Decimal("60.00"), Decimal("60.00"), 0)
    assert row.status == InvoiceStatus.PAID
    assert not row.is_overpaid


def test_overpaid_is_what_was_paid_beyond_what_is_owed_and_can_be_refunded(credited):
    pay(credited, "40.00")
    published_revision(credited, "80.00")

    row = reload(credited)
    # 80 owed, 60 forgiven, 40 paid: 20 received beyond what is owed, all of it refundable.
    assert row.balance == Decimal("-20.00")
    assert row.is_overpaid
    assert row.overpaid_amount == Decimal("20.00")
    assert InvoicePage.objects.overpaid().filter(pk=row.pk).exists()
    refund(credited, "20.00")
    row = reload(credited)
    assert row.balance == 0 and not row.is_overpaid
    assert not InvoicePage.objects.overpaid().filter(pk=row.pk).exists()


def test_credits_alone_never_make_an_invoice_overpaid(admin_client, make_invoice):
    # Rows from before the rule: total 50.00 with 60.00 credited and nothing paid (balance -10.00).
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)], number="INV-CREDITED")
    credit(invoice, "60.00")
    InvoicePage.objects.filter(pk=invoice.pk).update(total=Decimal("50.00"), balance=Decimal("-10.00"))

    row = reload(invoice)
    assert not row.is_overpaid
    assert row.overpaid_amount == 0
    assert row.status == InvoiceStatus.PAID  # nothing is owed
    assert not InvoicePage.objects.overpaid().filter(pk=row.pk).exists()
    listing = admin_client.get(reverse("caseflow_invoices:index"), {"overpaid": "true"})
    assert "INV-CREDITED" not in listing.content.decode()
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert "This invoice is overpaid" not in editor


def test_a_credit_larger_than_the_total_is_refused_by_the_ledger(make_invoice):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    pay(invoice, "100.00")
    refund(invoice, "100.00")
    before = state(invoice)

    with pytest.raises(LedgerError, match="cannot exceed"):
        credit(invoice, "100.01")

    assert state(invoice) == before


def wait_for_a_lock_wait(seconds: float = 10) -> None:
    """Until another connection is waiting for a row lock (the edit, held up by the credit's transaction)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("the edit never waited for the invoice's row lock")


@pytest.mark.postgres
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="row-lock races need PostgreSQL: set DATABASE_URL=postgres://… to run them",
)
@pytest.mark.django_db(transaction=True)
def test_a_credit_recorded_while_the_total_is_being_lowered_is_seen_under_the_lock(make_invoice):
    # The edit checks the credits before it takes the invoice's row lock (so that a refused edit closes no
    # payment page on Stripe); a credit committed in between must still stop it.
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    credit_recorded, commit_credit = threading.Event(), threading.Event()

    def credit_and_hold() -> None:
        try:
            with transaction.atomic():
                credit(invoice, "60.00")
                credit_recorded.set()
                commit_credit.wait(timeout=30)
        finally:
            connection.close()

    def lower_the_total() -> Exception | None:
        credit_recorded.wait(timeout=30)
        try:
            saved(invoice, "50.00")  # sees no credit yet (uncommitted), then waits for the lock
        except ValidationError as error:
            return error
        finally:
            connection.close()
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = pool.submit(credit_and_hold)
        edit = pool.submit(lower_the_total)
        wait_for_a_lock_wait()
        commit_credit.set()
        held.result(timeout=30)
        refusal = edit.result(timeout=30)

    assert refusal is not None and REFUSAL in str(refusal)
    row = reload(invoice)
    assert (row.total, row.amount_credited, row.balance) == (
        Decimal("100.00"),
        Decimal("60.00"),
        Decimal("40.00"),
    )
