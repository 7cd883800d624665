"""Stripe's fee and net are in the settlement currency, which need not be the payment's.

A balance transaction's ``amount``, ``fee`` and ``net`` are in its own ``currency`` (the account's
settlement currency) and ``exchange_rate`` is the rate Stripe applied (null when nothing was converted). A
yen payment to an account that settles in dollars has its fee in dollars: stored, shown and totalled in
dollars, never as yen and never added to yen.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from caseflow_wagtail.models import InvoiceStatus, Payment
from caseflow_wagtail.payments import fees

pytestmark = pytest.mark.django_db(transaction=True)

YEN_IN_DOLLARS = {"settlement_currency": "usd", "exchange_rates": {"jpy": "0.0067"}}


def pay_and_settle(client_browser, emulator, invoice) -> Payment:
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    assert paid.status_code == 303
    page = client_browser.session.get(paid.headers["Location"], timeout=10)
    assert page.status_code == 200 and "payment received" in page.text
    emulator.settle()
    emulator.wait_for_deliveries()
    return Payment.objects.get(invoice=invoice)


def exported(admin_client) -> list[dict[str, str]]:
    response = admin_client.get(reverse("caseflow_payments:index"), {"export": "csv"})
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def takes_yen(online):
    online.currencies_accepted = "USD,JPY"
    online.save()
    return online


@pytest.mark.parametrize("capture_mode", ["async", "sync"])
def test_a_yen_payment_settled_in_dollars_keeps_its_fee_in_dollars(
    takes_yen, make_invoice, client_browser, emulator, admin_client, capture_mode
):
    # async: the fee comes with charge.updated; sync: the success page finds it on the expanded charge.
    emulator.configure(capture_mode=capture_mode, **YEN_IN_DOLLARS)
    invoice = make_invoice(lines=[("Patent filing", "1", "5000", None)], currency="JPY")

    payment = pay_and_settle(client_browser, emulator, invoice)

    # ¥5,000 at 0.0067 is $33.50 reached the balance; Stripe's fee 2.9% + 30¢ of that is $1.27.
    assert (payment.amount, payment.currency) == (Decimal("5000"), "JPY")  # the invoice gets the gross yen
    assert (payment.fee, payment.net) == (Decimal("1.27"), Decimal("32.23"))
    assert not payment.fee_pending
    assert (payment.fee_currency, payment.exchange_rate) == ("USD", Decimal("0.0067"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_paid == Decimal("5000")

    page = text_of(admin_client.get(reverse("caseflow_payments:inspect", args=[payment.pk])).content.decode())
    assert "Fee pending" not in page
    assert "$1.27" in page and "$32.23" in page and "¥5,000" in page
    assert "¥1 " not in page and "¥32" not in page
    assert "1 JPY = 0.0067 USD" in page

    listing = text_of(admin_client.get(reverse("caseflow_payments:index")).content.decode())
    assert "$1.27" in listing

    (row,) = exported(admin_client)
    assert (row["Amount"], row["Currency"]) == ("5000", "JPY")
    assert (row["Stripe fee"], row["Net deposited"], row["Fee currency"]) == ("1.27", "32.23", "USD")
    assert row["Exchange rate"] == "0.0067"


def test_a_payment_settled_in_its_own_currency_is_unchanged(
    takes_yen, make_invoice, client_browser, emulator, admin_client
):
    invoice = make_invoice(lines=[("Patent filing", "1", "5000", None)], currency="JPY")

    payment = pay_and_settle(client_browser, emulator, invoice)

    assert (payment.fee, payment.net, payment.fee_currency) == (Decimal("175"), Decimal("4825"), "JPY")
    assert payment.exchange_rate is None
    page = text_of(admin_client.get(reverse("caseflow_payments:inspect", args=[payment.pk])).content.decode())
    assert "¥175" in page and "¥4,825" in page and "Fee pending" not in page
    (row,) = exported(admin_client)
    assert (row["Stripe fee"], row["Net deposited"], row["Fee currency"], row["Exchange rate"]) == (
        "175",
        "4825",
        "JPY",
        "",
    )


def test_fee_totals_are_per_currency_and_never_add_dollars_to_yen(
    takes_yen, make_invoice, client_browser, emulator, admin_client
):
    dollars = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)], currency="USD")
    yen = make_invoice(lines=[("Patent filing", "1", "12500", None)], currency="JPY")
    pay_and_settle(client_browser, emulator, dollars)  # fee $36.55, net $1,213.45
    pay_and_settle(client_browser, emulator, yen)  # settled in yen: fee ¥393, net ¥12,107
    emulator.configure(**YEN_IN_DOLLARS)
    converted = make_invoice(lines=[("Trademark", "1", "5000", None)], currency="JPY")
    pay_and_settle(client_browser, emulator, converted)  # settled in dollars: fee $1.27, net $32.23

    assert fees.totals(Payment.objects.all()) == [
        fees.FeeTotal("JPY", Decimal("393"), Decimal("12107"), 1),
        fees.FeeTotal("USD", Decimal("37.82"), Decimal("1245.68"), 2),
    ]
    listing = admin_client.get(reverse("caseflow_payments:index")).content.decode()
    (summary,) = re.findall(r'<dl class="[^"]*caseflow-fee-totals">(.*?)</dl>', listing, re.S)
    summary = text_of(summary)
    assert "¥393" in summary and "$37.82" in summary
    assert "¥12,107" in summary and "$1,245.68" in summary
    assert "430.82" not in summary and "394" not in summary  # 393 + 37.82, or $1.27 counted as ¥1

    # A filtered listing totals only what it lists.
    filtered = admin_client.get(reverse("caseflow_payments:index"), {"q": converted.invoice_number})
    (summary,) = re.findall(
        r'<dl class="[^"]*caseflow-fee-totals">(.*?)</dl>', filtered.content.decode(), re.S
    )
    assert "$1.27" in text_of(summary) and "¥" not in summary and "$37.82" not in summary


def test_a_fee_in_another_settlement_currency_is_read_with_that_currencys_places():
    balance = {"id": "txn_1", "fee": 145, "net": 3217, "currency": "usd", "exchange_rate": 0.0067}
    assert fees.fees_from_balance(balance, "JPY") == fees.Fees(
        Decimal("1.45"), Decimal("32.17"), "USD", Decimal("0.0067")
    )
    # Stripe's JSON number is kept as written: 1.2345678, not the binary float's 1.23456779999…
    assert fees.fees_from_balance({**balance, "exchange_rate": 1.2345678}, "JPY").exchange_rate == Decimal(
        "1.2345678"
    )
    assert fees.fees_from_balance({**balance, "currency": "jpy", "exchange_rate": None}, "JPY") == fees.Fees(
        Decimal("145"), Decimal("3217"), "JPY", None
    )
