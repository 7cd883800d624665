"""Balances Stripe cannot charge to the minor unit: three-decimal currencies (multiples of 10 minor units)
and ISK (whole krónur, amounts divisible by 100). Pay Now offers what can be charged, says what is left,
and never answers with an error page. Real HTTP to the emulator, which refuses what Stripe refuses."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from caseflow_wagtail.models import CheckoutSession, InvoicePage, InvoiceStatus, Payment

from .conftest import configure_gateway, field_error

pytestmark = pytest.mark.django_db(transaction=True)


def created_amounts(emulator) -> list[int]:
    creates = [r for r in emulator.requests(method="POST") if r["path"] == "/v1/checkout/sessions"]
    return [int(r["params"]["line_items"][0]["price_data"]["unit_amount"]) for r in creates]


@pytest.fixture
def kwd_and_isk(live_site, stripe_settings, emulator):
    emulator.reset()
    return configure_gateway(live_site, emulator, currencies_accepted="KWD,ISK")


def test_a_three_decimal_balance_is_paid_to_the_last_chargeable_fils_and_the_rest_is_shown(
    kwd_and_isk, make_invoice, client_browser, emulator
):
    invoice = make_invoice(lines=[("Advice", "1", "10.005", None)], currency="KWD")

    page = html.unescape(client_browser.open_invoice(invoice).text)
    assert "Amount: KWD10.000" in page
    assert "cannot include the last KWD0.005 of the balance" in page

    redirect = client_browser.click_pay_now(invoice)
    assert redirect.status_code == 302, redirect.text
    assert created_amounts(emulator) == [10000]
    paid = client_browser.pay_on_checkout(redirect.headers["Location"])
    client_browser.session.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()

    assert Payment.objects.get().amount == Decimal("10.000")
    invoice = InvoicePage.objects.get(pk=invoice.pk)
    assert invoice.balance == Decimal("0.005") and invoice.status == InvoiceStatus.PARTIALLY_PAID
    # 0.005 KWD is below anything Stripe can charge: no Pay Now, and no error page either.
    after = client_browser.open_invoice(invoice)
    assert after.status_code == 200 and "Pay Now" not in after.text


def test_a_client_typing_an_amount_stripe_cannot_charge_is_told_the_step(
    live_site, stripe_settings, emulator, make_invoice, client_browser
):
    emulator.reset()
    configure_gateway(live_site, emulator, currencies_accepted="KWD", allow_amount_edit=True)
    invoice = make_invoice(lines=[("Advice", "1", "10.005", None)], currency="KWD")

    refused = client_browser.click_pay_now(invoice, amount="10.005")
    assert refused.status_code == 400
    assert field_error(refused.text) == "Card payments in KWD are in steps of 0.010."
    assert not CheckoutSession.objects.exists() and created_amounts(emulator) == []

    accepted = client_browser.click_pay_now(invoice, amount="5.010")
    assert accepted.headers["Location"].startswith(emulator.base_url + "/checkout/cs_")
    assert created_amounts(emulator) == [5010]


def test_isk_is_charged_in_whole_kronur(kwd_and_isk, make_invoice, client_browser, emulator):
    invoice = make_invoice(lines=[("Advice", "1", "40.10", None)], currency="ISK")

    page = html.unescape(client_browser.open_invoice(invoice).text)
    assert "Amount: ISK40.00" in page and "cannot include the last ISK0.10" in page
    redirect = client_browser.click_pay_now(invoice)

    assert redirect.status_code == 302 and created_amounts(emulator) == [4000]
    assert CheckoutSession.objects.get().amount == Decimal("40.00")


def test_a_typed_fraction_of_a_krona_is_refused_before_stripe(
    live_site, stripe_settings, emulator, make_invoice, client_browser
):
    emulator.reset()
    configure_gateway(live_site, emulator, currencies_accepted="ISK", allow_amount_edit=True)
    invoice = make_invoice(lines=[("Advice", "1", "4010", None)], currency="ISK")

    refused = client_browser.click_pay_now(invoice, amount="40.10")

    assert field_error(refused.text) == "Card payments in ISK are in whole units."
    assert created_amounts(emulator) == []


def test_the_emulator_refuses_fractional_krona_as_stripe_does(emulator):
    import stripe

    with pytest.raises(stripe.InvalidRequestError) as refused:
        emulator.stripe_client().v1.payment_intents.create(params={"amount": 4010, "currency": "isk"})
    assert refused.value.code == "invalid_charge_amount_no_decimal_compatible"


def test_a_balance_above_stripes_largest_charge_is_paid_in_parts(
    live_site, stripe_settings, emulator, make_invoice, client_browser
):
    emulator.reset()
    configure_gateway(live_site, emulator, allow_amount_edit=True)
    invoice = make_invoice(lines=[("Completion", "1", "1500000.00", None)])

    page = html.unescape(client_browser.open_invoice(invoice).text)
    assert "One card payment can be at most $999,999.99: the $500,000.01 left" in page
    refused = client_browser.click_pay_now(invoice, amount="1000000.00")
    assert field_error(refused.text) == "One card payment can be at most $999,999.99."
    assert created_amounts(emulator) == []

    paid = client_browser.pay_on_checkout(client_browser.click_pay_now(invoice).headers["Location"])
    client_browser.session.get(paid.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()
    assert created_amounts(emulator) == [99_999_999]
    invoice = InvoicePage.objects.get(pk=invoice.pk)
    assert invoice.balance == Decimal("500000.01")
    # The rest, in a second card payment.
    assert client_browser.click_pay_now(invoice).status_code == 302
    assert created_amounts(emulator) == [99_999_999, 50_000_001]
