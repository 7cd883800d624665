"""The client's link, copied from the invoice editor's Payments tab in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.admin_login import log_in_as_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_copy_link_puts_the_public_url_on_the_clipboard_and_says_so(
    clipboard_page, live_server, make_invoice, django_user_model
):
    page = clipboard_page
    invoice = make_invoice()

    log_in_as_partner(page, django_user_model)
    page.goto(f"/admin/pages/{invoice.pk}/edit/")
    page.get_by_role("tab", name="Payments").click()
    page.evaluate("navigator.clipboard.writeText('nothing copied yet')")

    page.get_by_role("button", name="Copy link").click()

    expect(page.get_by_text("Copied to clipboard")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == invoice.get_full_url()
