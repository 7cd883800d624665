"""The invoice page: derived totals, status, and a public page whose cost does not grow with its lines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseflow_wagtail import ledger
from caseflow_wagtail.models import InvoicePage, InvoiceStatus, PaymentMethod

pytestmark = pytest.mark.django_db


def reload(invoice) -> InvoicePage:
    return InvoicePage.objects.get(pk=invoice.pk)


# -- totals ----------------------------------------------------------------------------------------------

# Each case has a line whose tax is exactly half a unit, where half-up and banker's rounding disagree.
TOTALS = {
    "USD": (
        [
            ("Advice", "1", "10.05", "7.5"),  # tax 0.75375 → 0.75
            ("Drafting", "3", "19.99", "8.25"),  # 59.97, tax 4.947525 → 4.95
            ("Copies", "1", "0.10", "5"),  # tax 0.005 → 0.01 (banker's: 0.00)
        ],
        {"subtotal": "70.12", "tax_total": "5.71", "total": "75.83"},
        ["$70.12", "$5.71", "$75.83"],
    ),
    "JPY": (
        [
            ("Advice", "1", "1050", "10"),  # tax 105
            ("Drafting", "2", "333", "8"),  # 666, tax 53.28 → 53
            ("Stamp", "1", "25", "10"),  # tax 2.5 → 3 (banker's: 2)
        ],
        {"subtotal": "1741", "tax_total": "161", "total": "1902"},
        ["¥1,741", "¥161", "¥1,902"],
    ),
    "KWD": (
        [
            ("Advice", "1", "12.345", "5"),  # tax 0.61725 → 0.617
            ("Drafting", "2", "0.125", "10"),  # 0.250, tax 0.025
            ("Copies", "1", "0.090", "5"),  # tax 0.0045 → 0.005 (banker's: 0.004)
            ("Hours", "1.5", "3.333", None),  # 4.9995 → 5.000, no tax
        ],
        {"subtotal": "17.685", "tax_total": "0.647", "total": "18.332"},
        ["KWD17.685", "KWD0.647", "KWD18.332"],
    ),
}


@pytest.mark.parametrize("currency", TOTALS)
def test_totals_round_each_line_half_up(make_invoice, client, currency):
    lines, expected, shown = TOTALS[currency]

    invoice = reload(make_invoice(lines=lines, currency=currency))

    for field, value in expected.items():
        assert getattr(invoice, field) == Decimal(value), field
    assert invoice.balance == Decimal(expected["total"])
    body = client.get(invoice.url).content.decode()
    for text in shown:
        assert text in body


def test_totals_follow_the_published_lines(make_invoice):
    invoice = reload(make_invoice(lines=[("Advice", "1", "100.00", None)]))
    line = invoice.lines.first()
    line.quantity = Decimal(2)
    invoice.lines = [line]

    invoice.save_revision().publish()

    row = reload(invoice)
    assert row.total == Decimal("200.00")
    assert row.balance == Decimal("200.00")


def test_a_draft_revision_carries_its_own_totals(make_invoice):
    invoice = reload(make_invoice(lines=[("Advice", "1", "100.00", None)]))
    ledger.record_payment(invoice, amount=Decimal("30.00"), currency="USD", method=PaymentMethod.CHEQUE)
    page = reload(invoice)
    line = page.lines.first()
    line.unit_price = Decimal("250.00")
    page.lines = [line]
    page.save_revision()

    draft = reload(invoice).get_latest_revision_as_object()

    # What the editor sees for the draft, while the live invoice still asks for the old amount.
    assert draft.total == Decimal("250.00")
    assert draft.balance == Decimal("220.00")
    assert reload(invoice).total == Decimal("100.00")
    assert reload(invoice).balance == Decimal("70.00")


def test_a_copy_of_a_paid_invoice_starts_unpaid_with_its_own_link(make_invoice, client):
    # Editors copy last month's invoice to bill again: the copy must owe the full amount.
    original = make_invoice(lines=[("Monthly retainer", "1", "400.00", "10")])
    ledger.record_payment(original, amount=Decimal("440.00"), currency="USD", method=PaymentMethod.CHEQUE)
    InvoicePage.objects.filter(pk=original.pk).update(voided_at=timezone.now(), void_reason="Replaced")

    copy = reload(original).copy(
        to=original.get_parent(),
        update_attrs={"slug": "retainer-copy", "invoice_number": "T-COPY"},
        keep_live=False,
    )

    copy = reload(copy)
    assert copy.public_token != reload(original).public_token
    assert copy.payments.count() == 0
    assert (copy.amount_paid, copy.amount_refunded, copy.amount_credited) == (0, 0, 0)
    assert copy.total == Decimal("440.00")
    assert copy.balance == Decimal("440.00")
    assert copy.voided_at is None
    assert copy.void_reason == ""
    copy.save_revision().publish()
    assert reload(copy).status == InvoiceStatus.UNPAID
    assert client.get(reload(copy).url).status_code == 200
    assert reload(original).balance == 0


# -- status ----------------------------------------------------------------------------------------------


def set_dates(invoice, issued_days_ago: int, due_days_ago: int) -> None:
    today = timezone.localdate()
    InvoicePage.objects.filter(pk=invoice.pk).update(
        issue_date=today - datetime.timedelta(days=issued_days_ago),
        due_date=today - datetime.timedelta(days=due_days_ago),
    )


def assert_status(invoice, status) -> None:
    assert reload(invoice).status == status
    assert list(InvoicePage.objects.with_status(status).values_list("pk", flat=True)) == [invoice.pk]


def test_overdue_when_past_due_with_a_balance(make_invoice):
    invoice = make_invoice()
    set_dates(invoice, issued_days_ago=40, due_days_ago=10)

    assert_status(invoice, InvoiceStatus.OVERDUE)

    ledger.record_payment(invoice, amount=Decimal("40.00"), currency="USD", method=PaymentMethod.CHEQUE)
    # Still owing after the due date: overdue wins over partially paid.
    assert_status(invoice, InvoiceStatus.OVERDUE)

    ledger.record_payment(invoice, amount=Decimal("60.00"), currency="USD", method=PaymentMethod.CHEQUE)
    assert_status(invoice, InvoiceStatus.PAID)


def test_not_overdue_on_the_due_date(make_invoice):
    invoice = make_invoice()
    set_dates(invoice, issued_days_ago=30, due_days_ago=0)

    assert_status(invoice, InvoiceStatus.UNPAID)


def test_void_and_draft_come_first(make_invoice):
    void = make_invoice()
    set_dates(void, issued_days_ago=40, due_days_ago=10)
    InvoicePage.objects.filter(pk=void.pk).update(voided_at=timezone.now())
    draft = make_invoice(publish=False)

    assert reload(void).status == InvoiceStatus.VOID
    assert reload(draft).status == InvoiceStatus.DRAFT
    assert set(InvoicePage.objects.with_status(InvoiceStatus.VOID).values_list("pk", flat=True)) == {void.pk}
    assert set(InvoicePage.objects.with_status(InvoiceStatus.DRAFT).values_list("pk", flat=True)) == {
        draft.pk
    }
    assert not reload(void).is_payable
    assert not reload(draft).is_payable


def test_the_public_page_shows_the_status(make_invoice, client):
    invoice = make_invoice()
    set_dates(invoice, issued_days_ago=40, due_days_ago=10)

    body = client.get(invoice.url).content.decode()

    assert "cf-badge--overdue" in body
    assert "Overdue" in body


def test_every_status_has_a_filter():
    for status in InvoiceStatus:
        InvoicePage.objects.with_status(status).count()
    with pytest.raises(ValueError):
        InvoicePage.objects.with_status("lost")


def test_payments_received_are_listed_oldest_first(make_invoice, client):
    invoice = make_invoice(lines=[("Advice", "1", "500.00", None)])
    today = timezone.localdate()
    for days_ago, amount in [(3, "30.00"), (20, "10.00"), (9, "20.00")]:
        ledger.record_payment(
            invoice,
            amount=Decimal(amount),
            currency="USD",
            method=PaymentMethod.BANK_TRANSFER,
            received_on=today - datetime.timedelta(days=days_ago),
        )

    body = client.get(invoice.url).content.decode()

    positions = [body.index(amount) for amount in ("$10.00", "$20.00", "$30.00")]
    assert positions == sorted(positions)
    assert "<dt>Balance due</dt><dd>$440.00</dd>" in body


# -- the public page's cost ------------------------------------------------------------------------------


def lines(count: int):
    return [(f"Attendance {n}", "1.5", "120.00", "20" if n % 2 else None) for n in range(count)]


def queries_for(client, invoice) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(invoice.url)
    assert response.status_code == 200
    return len(captured)


def test_the_public_page_makes_as_many_queries_for_200_lines_as_for_1(make_invoice, client):
    one = make_invoice(lines=lines(1))
    many = make_invoice(lines=lines(200))
    for invoice in (one, many):
        ledger.record_payment(invoice, amount=Decimal("10.00"), currency="USD", method=PaymentMethod.CHEQUE)
    # Warm the per-process caches (content types, site root paths) so both are measured alike.
    client.get(make_invoice().url)

    with_one, with_many = queries_for(client, one), queries_for(client, many)

    assert with_one > 0  # the capture saw the page's queries at all
    assert with_one == with_many
    assert "Attendance 199" in client.get(many.url).content.decode()


def test_copying_in_the_admin_makes_a_renumbered_draft_and_offers_no_alias(make_invoice, admin_client):
    original = make_invoice(lines=[("Monthly retainer", "1", "400.00", None)], number="INV-0007")
    copy_url = reverse("wagtailadmin_pages:copy", args=[original.pk])

    form = admin_client.get(copy_url).context["form"]
    assert "alias" not in form.fields
    assert "publish_copies" not in form.fields

    admin_client.post(
        copy_url,
        {"new_title": original.title, "new_slug": "copy", "new_parent_page": original.get_parent().pk},
    )

    copy = InvoicePage.objects.exclude(pk=original.pk).get()
    assert copy.invoice_number == "INV-0008"
    assert not copy.live
    assert copy.get_latest_revision_as_object().invoice_number == "INV-0008"


def test_a_void_invoice_shows_its_reason_and_nothing_to_pay(make_invoice, client):
    invoice = make_invoice(lines=[("Advice", "1", "1140.00", None)])
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now(), void_reason="Issued in error")

    body = client.get(reload(invoice).url).content.decode()

    assert "cf-badge--void" in body
    assert "This invoice is void: Issued in error" in body
    assert "Nothing is due" in body
    assert "Balance due" not in body
    assert "Pay Now" not in body
