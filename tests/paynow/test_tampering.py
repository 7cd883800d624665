"""A client who edits the Pay Now form (or posts it by hand) gets a message and Stripe hears nothing."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache

from caseflow_wagtail import conf
from caseflow_wagtail.models import CheckoutSession, Payment

from .conftest import checkout_creates, field_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no attempts counted, and well inside one of the limiter's fixed windows, so
    that its attempts are counted together (a window that ends mid-test starts the count again)."""
    cache.clear()
    window = conf.get("PAY_LIMIT_PER_ADDRESS")[1]
    if time.time() % window > window - 10:
        time.sleep(window - time.time() % window + 0.1)


@pytest.fixture
def editable(online):
    online.allow_amount_edit = True
    online.save()
    return online


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("100.01", "You can pay at most the balance due, $100.00."),
        ("1000000", "You can pay at most the balance due, $100.00."),
        ("0.49", "The smallest card payment is $0.50."),
        ("0", "Enter an amount greater than zero."),
        ("10.001", "USD amounts have at most 2 decimal places."),
        ("-5.00", "Enter an amount greater than zero."),
        ("NaN", "Enter an amount greater than zero."),
        ("Infinity", "Enter an amount greater than zero."),
        ("ten dollars", "Enter an amount such as 100.00."),
        # Ambiguous to an English reader, so refused rather than guessed (it once opened $1,000.00).
        ("10,00", "Enter an amount such as 100.00."),
        ("1_000", "Enter an amount such as 100.00."),
        ("1e2", "Enter an amount such as 100.00."),
        ("$50", "Enter an amount such as 100.00."),
    ],
)
def test_a_tampered_amount_is_refused_and_no_session_is_created(
    editable, make_invoice, client_browser, emulator, amount, message
):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)

    response = client_browser.post_pay(invoice, {"amount": amount})

    assert response.status_code == 400
    assert field_error(response.text) == message
    assert client_browser.messages(invoice) == []
    assert checkout_creates(emulator) == []
    assert not CheckoutSession.objects.exists()
    assert not Payment.objects.exists()


def test_a_refused_amount_keeps_what_the_client_typed_and_marks_the_field_invalid(
    editable, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)

    response = client_browser.post_pay(invoice, {"amount": "100.01"})

    field = re.search(r'<input id="cf-amount"[^>]*>', response.text, re.S).group(0)
    assert 'value="100.01"' in field
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="cf-amount-error cf-amount-help"' in field
    assert response.headers["Cache-Control"] == "private, no-store"
    # The field's error is not repeated at the top of the page.
    assert 'class="cf-messages"' not in response.text


def test_a_zero_decimal_currency_refuses_fractions(online, make_invoice, client_browser, emulator):
    online.allow_amount_edit = True
    online.currencies_accepted = "USD,JPY"
    online.save()
    invoice = make_invoice(lines=[("Advice", "1", "50000", None)], currency="JPY")
    client_browser.open_invoice(invoice)

    response = client_browser.post_pay(invoice, {"amount": "1000.5"})

    assert response.status_code == 400
    assert field_error(response.text) == "JPY amounts have at most 0 decimal places."
    assert checkout_creates(emulator) == []


def test_an_invoice_in_a_currency_not_accepted_cannot_be_paid(online, make_invoice, client_browser, emulator):
    assert online.accepted_currencies() == ["USD", "CAD"]
    accepted = make_invoice(lines=[("Advice", "1", "100.00", None)])
    euros = make_invoice(lines=[("Advice", "1", "100.00", None)], currency="EUR")
    client_browser.open_invoice(accepted)  # for the CSRF cookie a client would have

    page = client_browser.open_invoice(euros)
    assert page.status_code == 200
    assert "Pay Now" not in page.text
    response = client_browser.post_pay(euros, {})

    assert response.status_code == 302
    assert client_browser.messages(euros) == ["This invoice cannot be paid online right now."]
    assert checkout_creates(emulator) == []
    assert not CheckoutSession.objects.exists()


def test_an_amount_is_ignored_when_the_firm_does_not_allow_editing(
    online, make_invoice, client_browser, emulator
):
    assert not online.allow_amount_edit
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    page = client_browser.open_invoice(invoice)
    assert 'name="amount"' not in page.text

    response = client_browser.post_pay(invoice, {"amount": "5.00"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith(emulator.base_url + "/checkout/cs_")
    (create,) = checkout_creates(emulator)
    assert create["params"]["line_items"][0]["price_data"]["unit_amount"] == "10000"
    assert CheckoutSession.objects.get().amount == 100


def test_an_amount_within_the_balance_opens_a_session_for_that_amount(
    editable, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)

    response = client_browser.post_pay(invoice, {"amount": "10.50"})

    assert response.status_code == 302
    (create,) = checkout_creates(emulator)
    assert create["status"] == 200
    assert create["params"]["line_items"][0]["price_data"]["unit_amount"] == "1050"


def test_card_testing_from_one_address_is_paused_with_a_friendly_page(
    editable, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)
    limit, _seconds = conf.get("PAY_LIMIT_PER_ADDRESS")

    answers = [client_browser.post_pay(invoice, {"amount": "0.01"}) for _ in range(limit)]
    paused = client_browser.post_pay(invoice, {"amount": "50.00"})

    assert [a.status_code for a in answers] == [400] * limit
    assert paused.status_code == 429
    assert "Too many payment attempts" in paused.text
    assert "Nothing was charged" in paused.text
    assert paused.headers["Cache-Control"] == "private, no-store"
    assert checkout_creates(emulator) == []


@pytest.mark.parametrize("trusted", [1, ["10.0.0."]], ids=["proxy-count", "proxy-list"])
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    editable, settings, make_invoice, client_browser, emulator, trusted
):
    # Every request reaches the site from one address (here the loopback), through a proxy at 10.0.0.1 that
    # names the client in X-Forwarded-For, which the site believes only because it was told of the proxy.
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "TRUSTED_PROXIES": trusted}
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)
    limit, _seconds = conf.get("PAY_LIMIT_PER_ADDRESS")

    client_browser.session.headers["X-Forwarded-For"] = "203.0.113.7, 10.0.0.1"
    tester = [client_browser.post_pay(invoice, {"amount": "0.01"}) for _ in range(limit + 1)]
    client_browser.session.headers["X-Forwarded-For"] = "198.51.100.20, 10.0.0.1"
    honest = client_browser.post_pay(invoice, {"amount": "0.01"})

    assert [a.status_code for a in tester] == [400] * limit + [429]
    assert honest.status_code == 400


def test_without_trusted_proxies_a_forwarded_for_header_is_not_believed(
    editable, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
    client_browser.open_invoice(invoice)
    limit, _seconds = conf.get("PAY_LIMIT_PER_ADDRESS")

    answers = []
    for attempt in range(limit + 1):
        # A card tester inventing a new address for each attempt is still one connection.
        client_browser.session.headers["X-Forwarded-For"] = f"203.0.113.{attempt + 1}, 10.0.0.1"
        answers.append(client_browser.post_pay(invoice, {"amount": "0.01"}).status_code)

    assert answers == [400] * limit + [429]
