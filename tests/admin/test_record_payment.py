from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import InvoiceStatus, Payment

pytestmark = pytest.mark.django_db

URL = "caseflow_payments:add"


def payment_data(invoice, **overrides) -> dict[str, str]:
    data = {
        "invoice": str(invoice.pk),
        "amount": "40.00",
        "currency": "",
        "method": "bank_transfer",
        "received_on": datetime.date.today().isoformat(),
        "reference": "TRF-2211",
        "note": "",
    }
    data.update(overrides)
    return data


def test_form_renders_with_the_invoice_preselected(admin_client, make_invoice):
    invoice = make_invoice(number="INV-0001", currency="EUR")

    response = admin_client.get(reverse(URL), {"invoice": invoice.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["invoice"].pk == invoice.pk
    assert form.initial["currency"] == "EUR"
    assert "card" not in dict(form.fields["method"].choices)


def test_recording_a_payment_updates_balance_and_status(admin_client, superuser, make_invoice):
    invoice = make_invoice()

    response = admin_client.post(reverse(URL), payment_data(invoice))

    assert response.status_code == 302
    assert response["Location"] == reverse("caseflow_payments:index")
    payment = Payment.objects.get()
    assert payment.amount == Decimal("40.00")
    assert payment.currency == "USD"
    assert payment.source == "manual"
    assert payment.method == "bank_transfer"
    assert payment.reference == "TRF-2211"
    assert payment.recorded_by == superuser
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("60.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID

    admin_client.post(reverse(URL), payment_data(invoice, amount="60", currency="usd", method="cheque"))

    invoice.refresh_from_db()
    assert invoice.balance == 0
    assert invoice.status == InvoiceStatus.PAID


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "0"}, "amount", "greater than zero"),
        ({"amount": "-5.00"}, "amount", "greater than zero"),
        ({"currency": "EUR"}, "currency", "This invoice is in USD"),
        ({"currency": "ZZZ"}, "currency", "ZZZ"),
        ({"amount": "10.005"}, "amount", "USD amounts have at most 2 decimal places"),
        ({"amount": "abc"}, "amount", "number"),
        ({"method": "card"}, "method", "valid choice"),
    ],
)
def test_bad_input_is_a_form_error_and_records_nothing(admin_client, make_invoice, overrides, field, message):
    invoice = make_invoice()

    response = admin_client.post(reverse(URL), payment_data(invoice, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("100.00")


def test_zero_decimal_currency_rejects_fractions(admin_client, make_invoice):
    invoice = make_invoice(currency="JPY", lines=[("Retainer", "1", "10000", None)])

    response = admin_client.post(reverse(URL), payment_data(invoice, amount="500.5"))

    assert "JPY amounts have at most 0 decimal places" in response.content.decode()
    assert not Payment.objects.exists()


def test_draft_and_void_invoices_cannot_be_chosen(admin_client, make_invoice):
    draft = make_invoice(publish=False)

    response = admin_client.post(reverse(URL), payment_data(draft))

    assert "invoice" in response.context["form"].errors
    assert not Payment.objects.exists()


def test_overpayment_warns_first_then_records_once_confirmed(admin_client, make_invoice):
    invoice = make_invoice(number="INV-OVER")
    data = payment_data(invoice, amount="150.00")

    warned = admin_client.post(reverse(URL), data)

    assert warned.status_code == 200
    body = warned.content.decode()
    assert "the invoice will be overpaid by $50.00" in body
    assert 'type="checkbox" name="confirm_overpayment"' in body
    assert not Payment.objects.exists()

    confirmed = admin_client.post(reverse(URL), {**data, "confirm_overpayment": "on"})

    assert confirmed.status_code == 302
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("-50.00")
    assert invoice.is_overpaid
    assert invoice.status == InvoiceStatus.PAID
    listing = admin_client.get(reverse("caseflow_invoices:index")).content.decode()
    assert "Overpaid" in listing


def test_exact_balance_needs_no_confirmation(admin_client, make_invoice):
    invoice = make_invoice()

    response = admin_client.post(reverse(URL), payment_data(invoice, amount="100"))

    assert response.status_code == 302
    assert Payment.objects.count() == 1


def test_ledger_refusal_is_shown_as_a_form_error(admin_client, make_invoice, monkeypatch):
    invoice = make_invoice()

    def refuse(*args, **kwargs):
        raise LedgerError("This invoice is void; payments cannot be recorded against it.")

    monkeypatch.setattr(ledger, "record_payment", refuse)

    response = admin_client.post(reverse(URL), payment_data(invoice))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This invoice is void; payments cannot be recorded against it."
    ]
    assert "payments cannot be recorded against it" in response.content.decode()
    assert not Payment.objects.exists()
