from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from caseflow_wagtail.exports import neutralise_formula

from .helpers import pay

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\tx",
        "\rx",
        FORMULA,
        "\n=1+1",
        "\r\n=cmd|' /C calc'!A0",
        "  =1+1",
        "\u3000=1+1",
        "\uff1d1+1",
        "\uff0bA1",
        "\uff20SUM(A1)",
    ],
)
def test_formula_like_text_gets_an_apostrophe(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Cheque 12", "", Decimal("-5.00"), None, 3])
def test_other_values_are_unchanged(value):
    assert neutralise_formula(value) == value


def test_csv_export_neutralises_formulas(admin_client, make_invoice):
    invoice = make_invoice(number="INV-CSV")
    pay(invoice, "25.00", reference=FORMULA, note="-1 dispute")

    response = admin_client.get(reverse("caseflow_payments:index"), {"export": "csv"})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["Reference"] == "'" + FORMULA
    assert rows[0]["Note"] == "'-1 dispute"
    assert rows[0]["Invoice"] == "INV-CSV"
    assert rows[0]["Amount"] == "25.00"
    assert rows[0]["Method"] == "Bank transfer"


def test_xlsx_export_neutralises_formulas(admin_client, make_invoice):
    invoice = make_invoice()
    pay(invoice, "25.00", reference=FORMULA)

    response = admin_client.get(reverse("caseflow_payments:index"), {"export": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    assert row[header.index("Reference")] == "'" + FORMULA


def test_adjustment_export_neutralises_formulas(admin_client, make_invoice):
    from caseflow_wagtail import ledger

    invoice = make_invoice()
    ledger.record_adjustment(
        invoice, kind="credit", amount=Decimal("5"), currency="USD", reason="=cmd|' /C calc'!A0"
    )

    response = admin_client.get(reverse("caseflow_adjustments:index"), {"export": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Reason"] == "'=cmd|' /C calc'!A0"
