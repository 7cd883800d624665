"""In Chromium: the client follows the account link in the invoice email, sees every open invoice and the paid
ones, and opens one; staff copy the link from the client's edit page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from caseflow_wagtail.models import BillingSettings
from tests.admin_login import log_in_as_partner
from tests.conftest import ARTIFACTS

from ..admin.helpers import make_overdue, pay
from ..reminders.conftest import send_invoice
from .conftest import account_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_account_link_in_a_sent_invoice_opens_the_clients_invoices(
    live_site, make_invoice, billing_client, page, live_server
):
    billing = BillingSettings.for_site(live_site)
    billing.firm_name = "Lovelace & Babbage LLP"
    billing.save()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)
    late = make_invoice(number="BR-0001", lines=[("Lease review", "1", "300.00", None)])
    make_overdue(late)
    paid = make_invoice(number="BR-0002", lines=[("Advice", "1", "80.00", None)])
    pay(paid, "80.00")
    sent = make_invoice(number="BR-0003", currency="JPY", lines=[("Translation", "1", "25000", None)])

    send_invoice(sent)
    (email,) = [message for message in mail.outbox if "invoice-sent" in message.tags]
    (link,) = re.findall(re.escape(live_server.url) + r"/billing/account/[\w-]+/", email.body)
    assert link == live_server.url + account_path(billing_client)

    page.goto(link)

    expect(page.get_by_role("heading", name="Your invoices", level=1)).to_be_visible()
    expect(page).to_have_title("Invoices for Acme Holdings — Lovelace & Babbage LLP")
    open_invoices = page.get_by_role("table", name=re.compile("Invoices with a balance to pay"))
    expect(open_invoices.get_by_role("row")).to_have_count(3)  # the header row and two invoices
    overdue = open_invoices.get_by_role("row", name=re.compile("BR-0001"))
    expect(overdue).to_contain_text("Overdue by 10 days")
    expect(overdue).to_contain_text("$300.00")
    expect(open_invoices.get_by_role("row", name=re.compile("BR-0003"))).to_contain_text("¥25,000")
    paid_invoices = page.get_by_role("table", name=re.compile("Invoices paid since"))
    expect(paid_invoices.get_by_role("link", name=re.compile(r"Receipt for \$80\.00"))).to_be_visible()
    balances = page.get_by_role("table", name=re.compile("What you owe in each currency"))
    expect(balances.get_by_role("row", name=re.compile("USD"))).to_contain_text("$300.00")
    expect(balances.get_by_role("row", name=re.compile("JPY"))).to_contain_text("¥25,000")
    # The stylesheet loaded and nothing was blocked by the strict policy.
    assert page.evaluate("document.styleSheets.length") >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account-page.png"), full_page=True)

    open_invoices.get_by_role("link", name="BR-0001").click()

    expect(page.get_by_role("heading", name="Invoice BR-0001")).to_be_visible()
    assert page.url == live_server.url + f"/billing/invoice/{late.public_token}/"
    assert violations == []


@pytest.fixture
def clipboard_page(browser, live_server):
    # The Clipboard API works only in a secure context (localhost is one) and with these permissions.
    context = browser.new_context(
        locale="en-US", permissions=["clipboard-read", "clipboard-write"], base_url=live_server.url
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def test_copy_link_on_the_clients_page_puts_the_account_link_on_the_clipboard(
    clipboard_page, live_site, billing_client, django_user_model
):
    page = clipboard_page

    log_in_as_partner(page, django_user_model)
    page.goto(f"/admin/snippets/caseflow_wagtail/client/edit/{billing_client.pk}/")
    page.evaluate("navigator.clipboard.writeText('nothing copied yet')")

    page.get_by_role("button", name="Copy link").click()

    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"http://{live_site.hostname}:{live_site.port}{account_path(billing_client)}"
