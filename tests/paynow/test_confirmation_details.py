"""What the confirmation page tells a client who paid by card: the date, the amount, the card they used, the
receipt number and the receipt PDF; the card is kept on the payment whichever of the webhook and the success
page records it, and a payment with no card known shows none."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import Payment, PaymentMethod, PaymentSource
from caseflow_wagtail.payments.cards import NO_CARD, Card, card_of
from caseflow_wagtail.pdfs.documents import receipt_number
from tests.pdfs.conftest import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_LINK = re.compile(r'<a class="cf-receipt-link" href="([^"]+)"')
STRIPE_FIXTURES = Path(__file__).resolve().parent.parent / "emulator" / "stripe_fixtures.json"


def detail(page: str, test_id: str) -> str:
    found = re.search(rf'data-testid="{test_id}">(.*?)</dd>', page, re.S)
    assert found, f"the confirmation shows no {test_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def pay_and_return(client_browser, invoice, card: str = "4242424242424242") -> str:
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"], card)
    assert paid.status_code == 303
    page = client_browser.session.get(paid.headers["Location"], timeout=10)
    assert page.status_code == 200
    return page.text


def test_the_confirmation_shows_date_amount_card_receipt_number_and_the_receipt_pdf(
    online, make_invoice, client_browser, emulator
):
    emulator.webhook_fault("drop", count=2)  # Stripe's events are late: the success page records it
    template = get_template("payment-recorded")
    template.text_body = "Paid {{ amount }} with {{ payment_card }}."
    template.save()
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])

    page = pay_and_return(client_browser, invoice, card="5555555555554444")

    payment = Payment.objects.get()
    assert payment.source == PaymentSource.SUCCESS_PAGE
    assert (payment.card_brand, payment.card_last4) == ("mastercard", "4444")
    assert detail(page, "amount-paid") == "$1,250.00"
    assert f'<time datetime="{payment.received_on.isoformat()}">' in page
    assert detail(page, "payment-card") == "Mastercard •••• 4444"
    assert detail(page, "receipt-number") == receipt_number(payment) == f"R-{payment.pk:06d}"
    (link,) = RECEIPT_LINK.findall(page)
    assert link == f"/billing/invoice/{invoice.public_token}/receipts/{payment.pk}.pdf"
    receipt = client_browser.session.get(client_browser.base_url + link, timeout=30)
    assert receipt.status_code == 200
    assert receipt.headers["Content-Type"] == "application/pdf"
    text = pdf_text(receipt.content)
    assert f"Receipt number {receipt_number(payment)}" in text
    assert "Mastercard •••• 4444" in text
    assert [message.body for message in mail.outbox] == ["Paid $1,250.00 with Mastercard •••• 4444."]


def test_the_card_is_kept_when_the_webhook_recorded_the_payment_first(
    online, make_invoice, client_browser, emulator, admin_client
):
    invoice = make_invoice()
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    emulator.wait_for_deliveries()
    recorded = Payment.objects.get()
    assert recorded.source == PaymentSource.WEBHOOK
    assert recorded.card_last4 == ""  # events are never expanded: checkout.session.completed names no card

    page = client_browser.session.get(paid.headers["Location"], timeout=10).text

    assert detail(page, "payment-card") == "Visa •••• 4242"
    payment = Payment.objects.get()
    assert (payment.pk, payment.card_brand, payment.card_last4) == (recorded.pk, "visa", "4242")
    # The firm sees it too: on the payment's page and in the CSV export.
    inspect = admin_client.get(reverse("caseflow_payments:inspect", args=[payment.pk])).content.decode()
    assert "Visa" in inspect and "4242" in inspect
    export = admin_client.get(reverse("caseflow_payments:index"), {"export": "csv"})
    (row,) = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
    assert row["Card"] == "Visa •••• 4242"


def test_a_zero_decimal_amount_is_shown_without_decimals(online, make_invoice, client_browser, emulator):
    online.currencies_accepted = "USD,JPY"
    online.save()
    emulator.webhook_fault("drop", count=2)
    invoice = make_invoice(lines=[("Filing", "1", "125000", None)], currency="JPY")

    page = pay_and_return(client_browser, invoice, card="378282246310005")

    assert detail(page, "amount-paid") == "¥125,000"
    assert detail(page, "payment-card") == "American Express •••• 0005"
    assert Payment.objects.get().amount == Decimal("125000")


def test_charge_updated_brings_the_card_of_a_payment_no_client_came_back_for(
    online, make_invoice, client_browser, emulator
):
    invoice = make_invoice()
    client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    emulator.wait_for_deliveries()
    assert Payment.objects.get().card_last4 == ""

    emulator.settle()  # asynchronous capture finishes: charge.updated carries the charge, card and all
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert payment.fee is not None


def test_a_charge_updated_that_came_before_its_payment_brings_the_card_when_the_payment_is_recorded(
    online, make_invoice, client_browser, emulator
):
    emulator.webhook_fault("drop", count=2, types=["checkout.session.completed", "payment_intent.succeeded"])
    invoice = make_invoice()
    client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    emulator.settle()
    emulator.wait_for_deliveries()
    assert not Payment.objects.exists()  # charge.updated found no payment to note anything on

    emulator.resend_event(emulator.deliveries(type="checkout.session.completed")[0]["event"])
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert payment.source == PaymentSource.WEBHOOK
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")


def test_a_payment_with_no_card_known_shows_no_card(make_invoice):
    invoice = make_invoice()
    payment = ledger.record_payment(
        invoice, amount=Decimal("100.00"), currency="USD", method=PaymentMethod.CARD, send_receipt=False
    ).entry
    request = RequestFactory().get("/")

    page = render_to_string(
        "caseflow_wagtail/payment_confirmation.html",
        {
            "invoice": invoice,
            "payment": payment,
            "receipt_number": receipt_number(payment),
            "state": "paid",
            "status": invoice.status,
        },
        request=request,
    )

    assert payment.display_card == ""
    assert 'data-testid="payment-card"' not in page
    assert "••••" not in page
    assert detail(page, "amount-paid") == "$100.00"
    assert detail(page, "receipt-number") == receipt_number(payment)


def test_cards_are_read_as_stripe_documents_them():
    example = json.loads(STRIPE_FIXTURES.read_text())["resources"]["charge"]

    assert card_of(example) == Card(brand="visa", last4="4242")
    assert card_of("ch_123") == NO_CARD  # not expanded
    assert card_of({**example, "payment_method_details": {"type": "link", "link": {"country": "US"}}}) == (
        NO_CARD
    )
    unnamed = {"type": "card", "card": {**example["payment_method_details"]["card"], "last4": None}}
    assert card_of({**example, "payment_method_details": unnamed}) == NO_CARD
    odd = {"type": "card", "card": {"brand": "a-brand-stripe-added-later", "last4": "1881"}}
    assert card_of({"payment_method_details": odd}) == Card(brand="a-brand-stripe-added-later", last4="1881")


@pytest.mark.parametrize(
    ("brand", "last4", "shown"),
    [
        ("visa", "4242", "Visa •••• 4242"),
        ("amex", "0005", "American Express •••• 0005"),
        ("unknown", "1881", "Card •••• 1881"),
        ("", "", ""),
    ],
)
def test_the_card_as_its_holder_knows_it(brand, last4, shown):
    assert Payment(card_brand=brand, card_last4=last4).display_card == shown
