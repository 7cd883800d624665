"""A client in Chromium: the invoice link → Pay Now → the emulator's hosted Checkout → the confirmation.

Everything crosses real sockets: the browser talks to the live server and to the emulator, the site calls the
emulator's API, and the emulator delivers signed webhooks back to the site.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import BillingSettings, InvoiceStatus, Payment, PaymentSource
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRM = "Lovelace & Babbage LLP"


@pytest.fixture
def firm(live_site) -> BillingSettings:
    billing = BillingSettings.for_site(live_site)
    billing.firm_name = FIRM
    billing.save()
    return billing


def pay_now(page: Page, base_url: str, invoice, amount: str | None = None) -> None:
    page.goto(base_url + invoice.url)
    expect(page.get_by_role("heading", name=f"Invoice {invoice.invoice_number}")).to_be_visible()
    if amount is not None:
        page.fill("#cf-amount", amount)
    page.get_by_role("button", name="Pay Now").click()
    expect(page.get_by_role("heading", name="Pay with card")).to_be_visible()


def enter_card(page: Page, card: str) -> None:
    page.fill("#cardnumber", card)
    page.fill("#exp", "12 / 34")
    page.fill("#cvc", "123")
    page.fill("#name", "Ada Lovelace")
    page.click("#submit")


def expect_confirmation(page: Page, status: str) -> None:
    expect(page.get_by_role("heading", name="Thank you — payment received")).to_be_visible()
    expect(page.locator(".cf-confirmation .cf-badge")).to_contain_text(status)


def test_paying_the_balance_in_chromium(
    online, firm, make_invoice, page, live_server, emulator, admin_client
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)])

    pay_now(page, live_server.url, invoice)
    expect(page.get_by_test_id("total")).to_have_text("$1,250.00")
    enter_card(page, "4242 4242 4242 4242")

    expect_confirmation(page, "Paid")
    expect(page.locator(".cf-confirmation")).to_contain_text("$1,250.00")
    expect(page.locator(".cf-confirmation")).to_contain_text("ada@acme.test")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "paynow-confirmation.png"), full_page=True)
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert payment.amount == Decimal("1250.00")  # the gross amount; Stripe's fee is information only
    assert payment.fee is None or payment.net == payment.amount - payment.fee
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.balance == Decimal(0)
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["ada@acme.test"]
    assert receipt.subject == f"Payment received for invoice {invoice.invoice_number}"
    # The shipped template, merged: amount, number, date, status, balance, contact, link and firm.
    body = receipt.body
    assert "Dear Ada Lovelace," in body
    assert f"We received $1,250.00 on {payment.received_on.isoformat()} (Card (online))" in body
    assert f"for invoice {invoice.invoice_number}." in body
    assert "Invoice status: Paid" in body
    assert "Balance due: $0.00" in body
    assert f"{live_server.url}{invoice.url}" in body
    assert body.rstrip().endswith(FIRM)
    html = receipt.alternatives[0].content
    assert "Lovelace &amp; Babbage LLP" in html  # merged values are escaped in the HTML part
    payment.refresh_from_db()
    assert payment.receipt_status == "sent"

    # What the firm sees in Billing → Payments (its CSV export has the same rows as the listing).
    export = admin_client.get("/admin/billing/payments/?export=csv")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["Invoice"], row["Amount"], row["Currency"]) for row in rows] == [
        (invoice.invoice_number, "1250.00", "USD")
    ]


def test_a_partial_amount_leaves_the_invoice_partially_paid(
    online, firm, make_invoice, page, live_server, emulator
):
    online.allow_amount_edit = True
    online.save()
    # The firm's own wording, using every documented merge field.
    template = get_template("payment-recorded")
    template.subject = "{{ invoice_number }}: {{ amount }} received"
    template.text_body = (
        "number={{ invoice_number }}|amount={{ amount }}|balance={{ balance }}|status={{ status }}|"
        "client={{ client_name }}|contact={{ contact_name }}|firm={{ firm_name }}|"
        "link={{ invoice_link }}|date={{ payment_date }}|method={{ payment_method }}"
    )
    template.html_body = ""
    template.save()
    invoice = make_invoice(lines=[("Retainer", "1", "1000.00", None)])

    pay_now(page, live_server.url, invoice, amount="400.00")
    expect(page.get_by_test_id("total")).to_have_text("$400.00")
    enter_card(page, "4242424242424242")

    expect_confirmation(page, "Partially paid")
    expect(page.locator(".cf-confirmation")).to_contain_text("$600.00")
    emulator.wait_for_deliveries()

    payment = Payment.objects.get()
    assert payment.amount == Decimal("400.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert invoice.balance == Decimal("600.00")
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.subject == f"{invoice.invoice_number}: $400.00 received"
    assert receipt.body == (
        f"number={invoice.invoice_number}|amount=$400.00|balance=$600.00|status=Partially paid|"
        f"client=Acme Holdings|contact=Ada Lovelace|firm={FIRM}|"
        f"link={live_server.url}{invoice.url}|date={payment.received_on.isoformat()}|method=Card (online)"
    )
    assert receipt.alternatives == []

    # The invoice itself now says so, and offers the rest.
    page.goto(live_server.url + invoice.url)
    expect(page.locator(".cf-invoice__header .cf-badge")).to_contain_text("Partially paid")
    expect(page.locator("#cf-amount")).to_have_value("600.00")


def test_a_declined_card_then_a_good_one_pays_once(online, make_invoice, page, live_server, emulator):
    invoice = make_invoice(lines=[("Advice", "2", "150.00", None)])

    pay_now(page, live_server.url, invoice)
    enter_card(page, "4000000000000002")
    expect(page.locator("#error")).to_contain_text("declined")
    emulator.wait_for_deliveries()
    assert Payment.objects.count() == 0
    assert emulator.deliveries(type="payment_intent.payment_failed")

    enter_card(page, "4242424242424242")
    expect_confirmation(page, "Paid")
    emulator.wait_for_deliveries()

    assert Payment.objects.get().amount == Decimal("300.00")
    assert len(mail.outbox) == 1


def test_a_3d_secure_card_is_paid_after_authentication(online, make_invoice, page, live_server, emulator):
    invoice = make_invoice(lines=[("Litigation", "1", "780.00", None)])

    pay_now(page, live_server.url, invoice)
    enter_card(page, "4000002500003155")
    expect(page.get_by_role("heading", name="3D Secure 2 Test Page")).to_be_visible()
    assert Payment.objects.count() == 0  # nothing is paid before the bank confirms
    page.click("#complete")

    expect_confirmation(page, "Paid")
    emulator.wait_for_deliveries()
    payment = Payment.objects.get()
    assert payment.amount == Decimal("780.00")
    assert payment.source in (PaymentSource.WEBHOOK, PaymentSource.SUCCESS_PAGE)
    assert len(mail.outbox) == 1
