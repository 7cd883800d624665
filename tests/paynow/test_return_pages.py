"""Where Stripe sends the client back: the success page trusts only a paid session of this invoice, and
cancelling or an expired session leads back to a working Pay Now."""

from __future__ import annotations

import re
import sqlite3

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection

from caseflow_wagtail.models import CheckoutSession, CheckoutStatus, Payment, PaymentSource

from .conftest import checkout_creates

pytestmark = pytest.mark.django_db(transaction=True)


def success_url(invoice, session_id: str) -> str:
    return f"/billing/invoice/{invoice.public_token}/paid/?session_id={session_id}"


def test_the_success_page_records_the_payment_when_it_comes_first(
    online, make_invoice, client_browser, emulator
):
    emulator.webhook_fault("drop", count=2)  # Stripe's events are late: only the client is back
    invoice = make_invoice()
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])

    page = client_browser.session.get(paid.headers["Location"], timeout=10)

    assert page.status_code == 200
    assert "payment received" in page.text
    payment = Payment.objects.get()
    assert payment.source == PaymentSource.SUCCESS_PAGE
    assert payment.fee is None  # asynchronous capture: the expanded charge has no balance transaction yet
    assert len(mail.outbox) == 1
    # Coming back to the page (a reload, the back button) records nothing more.
    assert client_browser.session.get(paid.headers["Location"], timeout=10).status_code == 200
    assert Payment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_session_of_another_invoice_is_not_found(online, make_invoice, client_browser, emulator):
    first, second = make_invoice(), make_invoice()
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(first).headers["Location"])
    session_id = paid.headers["Location"].rsplit("=", 1)[1]
    emulator.wait_for_deliveries()
    mail.outbox.clear()

    response = client_browser.session.get(
        client_browser.base_url + success_url(second, session_id), timeout=10
    )
    made_up = client_browser.session.get(
        client_browser.base_url + success_url(first, "cs_test_x"), timeout=10
    )

    assert response.status_code == made_up.status_code == 404
    assert list(Payment.objects.values_list("invoice_id", flat=True)) == [first.pk]
    assert mail.outbox == []


def test_returning_before_paying_says_nothing_was_charged(online, make_invoice, client_browser, emulator):
    invoice = make_invoice()
    checkout_url = client_browser.click_pay_now(invoice).headers["Location"]
    session_id = checkout_url.rsplit("/", 1)[1]

    response = client_browser.session.get(
        client_browser.base_url + success_url(invoice, session_id), allow_redirects=False, timeout=10
    )

    assert response.status_code == 302
    assert client_browser.messages(invoice) == ["The payment was not completed. Nothing was charged."]
    assert not Payment.objects.exists()


def test_cancelling_on_the_hosted_page_returns_to_the_invoice(online, make_invoice, client_browser, emulator):
    invoice = make_invoice()
    checkout_page = client_browser.session.get(client_browser.click_pay_now(invoice).headers["Location"])
    cancel_url = checkout_page.text.split('id="cancel"')[0].rsplit('href="', 1)[1].split('"', 1)[0]

    back = client_browser.session.get(cancel_url, allow_redirects=False, timeout=10)

    assert back.status_code == 302
    assert back.headers["Location"] == invoice.url
    assert client_browser.messages(invoice) == ["Payment cancelled. Nothing was charged."]


def test_an_expired_session_is_retired_and_the_next_click_opens_a_new_one(
    online, make_invoice, client_browser, emulator
):
    invoice = make_invoice()
    first_url = client_browser.click_pay_now(invoice).headers["Location"]
    first = CheckoutSession.objects.get()

    emulator.expire_session(first.stripe_id)
    emulator.wait_for_deliveries(lambda items: bool(items) and items[0]["status"] == "succeeded")

    first.refresh_from_db()
    assert first.status == CheckoutStatus.EXPIRED
    second_url = client_browser.click_pay_now(invoice).headers["Location"]
    assert second_url != first_url
    assert len([c for c in checkout_creates(emulator) if c["status"] == 200]) == 2
    paid = client_browser.pay_on_checkout(second_url)
    client_browser.session.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()
    assert Payment.objects.get().stripe_checkout_session_id == second_url.rsplit("/", 1)[1]


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="'database is locked' is SQLite's answer to a second writer",
)
def test_a_locked_sqlite_database_shows_the_client_a_confirming_page_not_an_error(
    online, make_invoice, client_browser, emulator, client
):
    emulator.webhook_fault("drop", count=1000)
    invoice = make_invoice()
    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    session_id = paid.headers["Location"].split("session_id=")[1]
    # Another writer (the webhook, a worker) holds SQLite's write lock, longer than this request waits.
    options = connection.settings_dict.setdefault("OPTIONS", {})
    patience = options.get("timeout")
    options["timeout"] = 0.2
    connection.close()
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        page = client.get(success_url(invoice, session_id))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        options["timeout"] = patience
        connection.close()

    assert page.status_code == 200
    assert "We are confirming your payment" in page.content.decode()
    assert not Payment.objects.exists()
    # Once the database is free, the next visit records it.
    assert "payment received" in client.get(success_url(invoice, session_id)).content.decode()
    assert Payment.objects.count() == 1


def test_the_notices_are_a_list_inside_a_status_region(online, make_invoice, client_browser, emulator):
    # role="status" on the <ul> itself replaces its list role, which axe reports as invalid markup.
    invoice = make_invoice()
    client_browser.session.get(
        client_browser.base_url + f"/billing/invoice/{invoice.public_token}/cancelled/",
        allow_redirects=False,
        timeout=10,
    )

    page = client_browser.open_invoice(invoice).text

    assert re.search(r'<div class="cf-messages" role="status">\s*<ul>\s*<li class="cf-message', page)
    assert not re.search(r"<ul[^>]*role=", page)
