"""Getting paid, end to end in Chromium: staff send the invoice from the Wagtail admin, the client opens the
link from that email, pays on the emulator's hosted Checkout page and sees the confirmation with the date,
the amount, the card, the receipt number and the receipt PDF; the receipt email carries the PDF too.

Everything crosses real sockets: both browsers talk to the live server, the site calls the emulator's API,
the emulator delivers signed webhooks back to the site, and the emails go through anymail's test backend.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from caseflow_wagtail.models import BillingSettings, InvoiceSending, InvoiceStatus, Payment, SendingStatus
from caseflow_wagtail.pdfs.documents import receipt_number
from tests.conftest import ARTIFACTS
from tests.paynow.conftest import fresh_rate_limits, live_site, online  # noqa: F401  (fixtures)
from tests.pdfs.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRM = "Lovelace & Babbage LLP"
PASSWORD = "correct horse battery"
LINK = re.compile(r"https?://\S+/billing/invoice/[^/\s]+/")


@pytest.fixture
def firm(live_site) -> BillingSettings:  # noqa: F811  (the fixture imported above)
    billing = BillingSettings.for_site(live_site)
    billing.firm_name = FIRM
    billing.billing_email = "accounts@lovelace.test"
    billing.attach_receipt_pdf = True
    billing.attach_invoice_pdf = True
    billing.save()
    return billing


@pytest.fixture
def staff_page(browser, live_server, django_user_model):
    """A partner of the firm, signed in to the Wagtail admin in a browser context of their own."""
    django_user_model.objects.create_superuser("partner", "partner@lovelace.test", PASSWORD)
    context = browser.new_context(locale="en-US", base_url=live_server.url, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.goto("/admin/login/")
    tab.fill("input[name=username]", "partner")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(re.compile(r"/admin/$"))
    yield tab
    context.close()


def send_from_the_editor(staff: Page, invoice) -> None:
    staff.goto(f"/admin/pages/{invoice.pk}/edit/")
    staff.get_by_role("tab", name="Payments").click()
    staff.get_by_role("link", name="Send invoice").click()
    expect(staff.get_by_text("It goes to Ada Lovelace <ada@acme.test>")).to_be_visible()
    staff.get_by_role("button", name="Yes, send it").click()
    expect(
        staff.get_by_text(f"Invoice {invoice.invoice_number} is being sent to ada@acme.test.")
    ).to_be_visible()


def pay_with_a_card(client: Page, link: str, card: str) -> None:
    client.goto(link)
    client.get_by_role("button", name="Pay Now").click()
    expect(client.get_by_role("heading", name="Pay with card")).to_be_visible()
    client.fill("#cardnumber", card)
    client.fill("#exp", "12 / 34")
    client.fill("#cvc", "123")
    client.fill("#name", "Ada Lovelace")
    client.click("#submit")


def test_staff_send_the_invoice_and_the_client_pays_it_from_the_email(
    online,  # noqa: F811
    firm,
    make_invoice,
    staff_page,
    browser,
    live_server,
    emulator,
):
    invoice = make_invoice(lines=[("Conveyancing", "1", "1250.00", None)], number="LB-0007")

    send_from_the_editor(staff_page, invoice)

    [invoice_email] = mail.outbox
    assert invoice_email.to == ["ada@acme.test"]
    assert InvoiceSending.objects.get().status == SendingStatus.SENT
    [(filename, content, _mimetype)] = invoice_email.attachments
    assert filename == "invoice-LB-0007.pdf" and "Invoice LB-0007" in pdf_text(content)
    [link] = set(LINK.findall(invoice_email.body))
    assert link == invoice.get_full_url()

    context = browser.new_context(locale="en-US", accept_downloads=True)
    client = context.new_page()
    client.set_default_timeout(15_000)
    try:
        pay_with_a_card(client, link, "4242 4242 4242 4242")

        expect(client.get_by_role("heading", name="Thank you — payment received")).to_be_visible()
        payment = Payment.objects.get()
        number = receipt_number(payment)
        expect(client.get_by_test_id("amount-paid")).to_have_text("$1,250.00")
        date = client.get_by_test_id("payment-date").locator("time")
        expect(date).to_have_attribute("datetime", payment.received_on.isoformat())
        expect(client.get_by_test_id("payment-card")).to_have_text("Visa •••• 4242")
        expect(client.get_by_test_id("receipt-number")).to_have_text(number)
        expect(client.locator(".cf-confirmation .cf-badge")).to_contain_text("Paid")
        ARTIFACTS.mkdir(exist_ok=True)
        client.screenshot(path=str(ARTIFACTS / "getting-paid-confirmation.png"), full_page=True)

        with client.expect_download() as download:
            client.get_by_role("link", name="Download the receipt (PDF)").click()
        receipt_file = Path(download.value.path()).read_bytes()
    finally:
        context.close()
    assert download.value.suggested_filename == f"receipt-LB-0007-{number}.pdf"
    text = pdf_text(receipt_file)
    assert f"Receipt number {number}" in text
    assert "Amount received $1,250.00" in text
    assert "Visa •••• 4242" in text

    emulator.wait_for_deliveries()
    payment.refresh_from_db()
    assert payment.amount == Decimal("1250.00")
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    [receipt] = [message for message in mail.outbox if message is not invoice_email]
    assert receipt.to == ["ada@acme.test"]
    assert receipt.subject == "Payment received for invoice LB-0007"
    [(filename, content, mimetype)] = receipt.attachments
    assert (filename, mimetype) == (f"receipt-LB-0007-{number}.pdf", "application/pdf")
    assert f"Receipt number {number}" in pdf_text(content)
