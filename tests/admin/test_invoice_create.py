"""Creating invoices through Wagtail's own page-create view, with the line items' inline formset."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from caseflow_wagtail.models import InvoiceLine, InvoicePage

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


def add_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("caseflow_wagtail", "invoicepage", parent.pk))


def invoice_form(client_pk: int, lines=(("Advice on contract", "2", "150.00", ""),), **overrides) -> dict:
    data = {
        "invoice_number": "INV-0001",
        "client": str(client_pk),
        "issue_date": TODAY.isoformat(),
        "due_date": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "currency": "USD",
        "notes": "Payable within 30 days.",
        "body-count": "0",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    for index, (description, quantity, price, tax) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-description": description,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
                f"lines-{index}-tax_rate": tax,
                f"lines-{index}-ORDER": str(index + 1),
                f"lines-{index}-DELETE": "",
            }
        )
    data.update(overrides)
    return data


def all_errors(response) -> str:
    form = response.context["form"]
    messages = [str(error) for errors in form.errors.values() for error in errors]
    for formset in form.formsets.values():
        messages += [str(error) for errors in formset.errors for field in errors.values() for error in field]
        messages += [str(error) for error in formset.non_form_errors()]
    return " ".join(messages)


def test_create_and_publish_an_invoice(admin_client, invoice_index, billing_client):
    response = admin_client.post(
        add_url(invoice_index),
        invoice_form(
            billing_client.pk, lines=[("Advice", "2", "150.00", ""), ("Filing", "1", "50.00", "10")]
        ),
    )

    assert response.status_code == 302, all_errors(response)
    invoice = InvoicePage.objects.get(invoice_number="INV-0001")
    assert invoice.live
    assert invoice.get_parent().pk == invoice_index.pk
    assert invoice.total == Decimal("355.00")
    assert invoice.balance == Decimal("355.00")
    assert invoice.lines.count() == 2
    assert admin_client.get(reverse("caseflow_invoices:index")).content.decode().count("INV-0001") >= 1


def test_the_create_form_suggests_the_next_number(admin_client, invoice_index, make_invoice):
    make_invoice(number="INV-0007")

    response = admin_client.get(add_url(invoice_index))

    assert response.status_code == 200
    assert response.context["form"].initial["invoice_number"] == "INV-0008"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "ZZZ"}, "ZZZ"),
        ({"lines": [("Advice", "-1", "150.00", "")]}, "The quantity must be more than zero."),
        ({"lines": [("Advice", "1", "-150.00", "")]}, "The unit price cannot be negative."),
        ({"lines": [("Advice", "1", "10.005", "")]}, "USD amounts have at most 2 decimal places"),
        ({"due_date": (TODAY - datetime.timedelta(days=1)).isoformat()}, "The due date cannot be before"),
        ({"invoice_number": "INV-TAKEN"}, "Invoice number INV-TAKEN is already used on this site."),
        ({"lines": []}, ""),
    ],
    ids=[
        "unknown-currency",
        "negative-quantity",
        "negative-price",
        "precision",
        "due-before-issue",
        "duplicate",
        "no-lines",
    ],
)
def test_bad_invoice_input_is_a_form_error_and_saves_nothing(
    admin_client, invoice_index, billing_client, make_invoice, change, message
):
    make_invoice(number="INV-TAKEN")
    before = (InvoicePage.objects.count(), InvoiceLine.objects.count())
    change = dict(change)
    lines = change.pop("lines", (("Advice on contract", "2", "150.00", ""),))

    response = admin_client.post(
        add_url(invoice_index), invoice_form(billing_client.pk, lines=lines, **change)
    )

    assert response.status_code == 200
    assert message in all_errors(response)
    assert all_errors(response)
    assert (InvoicePage.objects.count(), InvoiceLine.objects.count()) == before
