"""How large an amount may be: everything accepted is stored, summed and read back exactly on SQLite (which
keeps 15 significant digits) and PostgreSQL (whose columns hold 15 integer digits); the rest is refused as
too large before anything is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseflow_wagtail import money
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import AdjustmentKind, InvoiceLine, InvoicePage, Payment
from tests.admin.test_invoice_create import add_url, all_errors, invoice_form

from .test_ledger import credit, pay, refund, reload, state

pytestmark = pytest.mark.django_db

# 12 integer digits, and the currency's decimals: the largest amount each currency class may hold.
LARGEST = {"USD": "999999999999.99", "JPY": "999999999999", "KWD": "999999999999.999"}
UNIT = {"USD": "0.01", "JPY": "1", "KWD": "0.001"}


def assert_refused_as_too_large(record, invoice, amount) -> None:
    """The ledger refuses the amount as too large; if it is accepted, say what the database gives back."""
    try:
        recorded = record(invoice, amount)
    except LedgerError as error:
        assert "too large" in str(error)
        return
    entry = recorded.entry
    stored = type(entry).objects.filter(pk=entry.pk).values_list("amount", flat=True).get()
    pytest.fail(f"{amount} {invoice.currency} was accepted and reads back as {stored}")


@pytest.fixture(params=sorted(LARGEST))
def currency(request) -> str:
    return request.param


def test_one_limit_in_every_currency_rounded_down_to_its_places(currency):
    assert Decimal("999999999999.999") == money.LARGEST_AMOUNT
    assert money.largest_amount(currency) == Decimal(LARGEST[currency])
    assert money.is_within_limit(-money.LARGEST_AMOUNT)
    assert not money.is_within_limit(money.LARGEST_AMOUNT + Decimal("0.001"))
    assert not money.is_within_limit(Decimal("NaN"))


# -- the ledger ------------------------------------------------------------------------------------------


def test_the_largest_amount_is_stored_and_read_back_exactly(make_invoice, currency):
    largest = Decimal(LARGEST[currency])
    invoice = make_invoice(lines=[("Settlement", "1", LARGEST[currency], None)], currency=currency)

    payment = pay(invoice, largest).entry

    assert Payment.objects.get(pk=payment.pk).amount == largest
    row = reload(invoice)
    assert (row.total, row.amount_paid, row.balance) == (largest, largest, 0)


def test_one_unit_above_the_largest_amount_is_refused_as_too_large(make_invoice, currency):
    invoice = make_invoice(currency=currency, lines=[("Advice", "1", "100", None)])
    before = state(invoice)

    assert_refused_as_too_large(pay, invoice, Decimal(LARGEST[currency]) + Decimal(UNIT[currency]))

    assert state(invoice) == before


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        # 17 significant digits: SQLite read it back as 999999999999999 (REAL keeps 15).
        ("USD", "999999999999999.44"),
        # Stored by SQLite as 1000000000000.000.
        ("KWD", "1000000000000.001"),
        # Could not be quantized, so it was refused as having "at most 2 decimal places".
        ("USD", "1E+26"),
        ("JPY", "1000000000000"),
    ],
)
@pytest.mark.parametrize("kind", ["payment", AdjustmentKind.REFUND, AdjustmentKind.CREDIT])
def test_an_amount_above_the_limit_is_refused_as_too_large(make_invoice, currency, amount, kind):
    invoice = make_invoice(currency=currency, lines=[("Advice", "1", "100", None)])
    pay(invoice, "50")
    before = state(invoice)
    record = {"payment": pay, AdjustmentKind.REFUND: refund, AdjustmentKind.CREDIT: credit}[kind]

    assert_refused_as_too_large(record, invoice, amount)

    assert state(invoice) == before


def test_payments_that_would_overflow_the_invoice_total_column_are_refused(make_invoice):
    # Each below the old size check (10**15); together 1.000E+15, more than the column's 15 integer digits:
    # PostgreSQL raised DataError on the invoice's amount_paid.
    invoice = make_invoice()
    before = state(invoice)

    outcomes = []
    for amount in ("1000000000000.00", "999000000000000.00"):
        try:
            pay(invoice, amount)
            outcomes.append(f"{amount} accepted")
        except LedgerError as error:
            outcomes.append(str(error))

    assert all("too large" in outcome for outcome in outcomes), outcomes

    assert state(invoice) == before


@pytest.mark.parametrize(
    ("currency", "first", "second", "rest"),
    [
        ("USD", "600000000000.00", "400000000000.00", "399999999999.99"),
        ("JPY", "600000000000", "400000000000", "399999999999"),
        ("KWD", "600000000000.000", "400000000000.000", "399999999999.999"),
    ],
)
def test_payments_may_not_sum_past_the_limit(make_invoice, currency, first, second, rest):
    # Each amount is within the limit; the invoice's total paid would not be.
    invoice = make_invoice(currency=currency, lines=[("Settlement", "1", LARGEST[currency], None)])
    pay(invoice, first)
    before = state(invoice)

    with pytest.raises(LedgerError, match="too large"):
        pay(invoice, second)
    assert state(invoice) == before

    pay(invoice, rest)
    row = reload(invoice)
    assert row.amount_paid == Decimal(LARGEST[currency])
    assert row.balance == 0
    assert sum(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True)) == row.amount_paid


def test_an_overpayment_may_not_take_the_total_paid_past_the_limit(make_invoice):
    invoice = make_invoice()  # 100.00 due
    pay(invoice, LARGEST["USD"])
    assert reload(invoice).balance == Decimal("100.00") - Decimal(LARGEST["USD"])
    before = state(invoice)

    with pytest.raises(LedgerError, match="too large"):
        pay(invoice, "0.01")

    assert state(invoice) == before


# -- invoice totals --------------------------------------------------------------------------------------


TOO_LARGE_LINES = {
    # A unit price the column holds but SQLite cannot read back exactly.
    "unit_price": ("USD", [("Settlement", "1", "1000000000000.00", None)]),
    # Quantity times unit price: 2,999,999,999,999,999.97, more than the total column holds (DataError).
    "line_amount": ("USD", [("Settlement", "3", "999999999999999.99", None)]),
    # Each within the limit, their product not.
    "quantity_times_price": ("USD", [("Settlement", "2", "600000000000.00", None)]),
    # Each line within the limit, their sum not.
    "subtotal": ("USD", [("Fees", "1", "600000000000.00", None), ("Costs", "1", "400000000000.00", None)]),
    # The tax takes the total past the limit.
    "tax": ("USD", [("Fees", "1", "999999999999.00", "10")]),
    # Rounded half up to the cent, 999999999999.995 became 1000000000000.00 without a word.
    "rounding": ("USD", [("Fees", "1", "999999999999.995", None)]),
    "kwd_subtotal": ("KWD", [("Fees", "2", "500000000000.000", None)]),
    "jpy_line": ("JPY", [("Fees", "1000", "1000000000", None)]),
}


@pytest.mark.parametrize(("currency", "lines"), TOO_LARGE_LINES.values(), ids=TOO_LARGE_LINES.keys())
def test_an_invoice_whose_total_is_too_large_is_refused(make_invoice, currency, lines):
    with pytest.raises(ValidationError, match="too large"):
        make_invoice(currency=currency, lines=lines)

    assert not InvoicePage.objects.exists()


@pytest.mark.parametrize(("currency", "lines"), TOO_LARGE_LINES.values(), ids=TOO_LARGE_LINES.keys())
def test_an_edit_that_makes_the_total_too_large_is_refused(make_invoice, currency, lines):
    invoice = make_invoice(currency=currency, lines=[("Advice", "1", "100", None)])
    pay(invoice, "40")
    before = (state(invoice), reload(invoice).total)
    page = reload(invoice)
    page.lines = [
        InvoiceLine(description=d, quantity=Decimal(q), unit_price=Decimal(p), tax_rate=t and Decimal(t))
        for d, q, p, t in lines
    ]

    with pytest.raises(ValidationError, match="too large"):
        page.save_revision().publish()

    assert (state(invoice), reload(invoice).total) == before
    assert [line.unit_price for line in reload(invoice).lines.all()] == [Decimal(100)]


def test_the_largest_total_is_stored_and_read_back_exactly(make_invoice, currency):
    largest = Decimal(LARGEST[currency])
    half = (largest / 2).quantize(Decimal(UNIT[currency]))
    lines = [("Fees", "1", str(half), None), ("Costs", "1", str(largest - half), None)]

    invoice = make_invoice(currency=currency, lines=lines)

    row = reload(invoice)
    assert (row.subtotal, row.total, row.balance) == (largest, largest, largest)


# -- what staff type in the admin ------------------------------------------------------------------------


EDITOR_CASES = {
    "unit_price": ([("Settlement", "1", "1000000000000.00", "")], "unit_price"),
    "line_amount": ([("Settlement", "2", "600000000000.00", "")], "unit_price"),
    "tax": ([("Fees", "1", "999999999999.00", "10")], "tax_rate"),
    "subtotal": ([("Fees", "1", "600000000000.00", ""), ("Costs", "1", "400000000000.00", "")], None),
}


@pytest.mark.parametrize(("lines", "field"), EDITOR_CASES.values(), ids=EDITOR_CASES.keys())
def test_the_editor_refuses_an_invoice_too_large_with_a_form_error(
    admin_client, invoice_index, billing_client, lines, field
):
    response = admin_client.post(add_url(invoice_index), invoice_form(billing_client.pk, lines=lines))

    assert response.status_code == 200
    assert "too large" in all_errors(response)
    formset = response.context["form"].formsets["lines"]
    if field is None:
        assert "too large" in " ".join(formset.non_form_errors())
    else:
        assert any("too large" in " ".join(errors.get(field, [])) for errors in formset.errors)
    assert not InvoicePage.objects.exists()


def payment_form(invoice, **overrides) -> dict[str, str]:
    data = {
        "invoice": str(invoice.pk),
        "amount": "40.00",
        "currency": "",
        "method": "bank_transfer",
        "received_on": "2026-11-26",
        "reference": "TRF-1",
        "note": "",
        "confirm_overpayment": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("amount", ["1E+26", "1000000000000.00", "999999999999999.44"])
@pytest.mark.parametrize("form", ["payment", "adjustment"])
def test_the_record_forms_refuse_an_amount_above_the_limit_as_too_large(
    admin_client, make_invoice, amount, form
):
    invoice = make_invoice()
    pay(invoice, "50.00")
    before = state(invoice)
    if form == "payment":
        url, data = reverse("caseflow_payments:add"), payment_form(invoice, amount=amount)
    else:
        url = reverse("caseflow_adjustments:add")
        data = {"invoice": str(invoice.pk), "kind": "refund", "amount": amount, "reason": "Returned"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "too large" in " ".join(response.context["form"].errors["amount"])
    assert state(invoice) == before


def test_the_payment_form_shows_the_ledger_refusal_when_the_total_paid_would_be_too_large(
    admin_client, make_invoice
):
    invoice = make_invoice()
    assert admin_client.post(reverse("caseflow_payments:add"), payment_form(invoice, amount=LARGEST["USD"]))[
        "Location"
    ]
    before = state(invoice)

    response = admin_client.post(reverse("caseflow_payments:add"), payment_form(invoice, amount="0.01"))

    assert response.status_code == 200
    assert "too large" in " ".join(response.context["form"].non_field_errors())
    assert state(invoice) == before
