"""Paying several invoices in one card payment from the account page, over real HTTP through the emulator:
one Checkout Session with a line per invoice, one payment shared out oldest due first, recorded once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from caseflow_wagtail.models import (
    AccountCheckout,
    CheckoutStatus,
    CombinedPayment,
    InvoiceStatus,
    Payment,
    UnappliedPayment,
    UnappliedReason,
)
from tests.accounts.conftest import Tables
from tests.accounts.paying import AccountBrowser, errors
from tests.admin.helpers import make_overdue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(client_browser) -> AccountBrowser:
    return AccountBrowser(client_browser)


@pytest.fixture
def four(make_invoice):
    """Four open invoices of one client, one overdue, due in this order."""
    invoices = [
        make_invoice(number="A-1", lines=[("Advice", "1", "100.00", None)], due_in_days=1),
        make_invoice(number="A-2", lines=[("Filing", "1", "200.00", None)], due_in_days=5),
        make_invoice(number="A-3", lines=[("Hearing", "1", "300.00", None)], due_in_days=20),
        make_invoice(number="A-4", lines=[("Appeal", "1", "400.00", None)], due_in_days=40),
    ]
    make_overdue(invoices[0])
    invoices[0].refresh_from_db()
    return invoices


def sessions_created(emulator) -> list[dict]:
    return [r for r in emulator.requests(method="POST") if r["path"] == "/v1/checkout/sessions"]


def test_three_of_four_invoices_are_paid_in_one_payment_and_the_fourth_is_untouched(
    online, four, account, billing_client, emulator
):
    first, second, third, fourth = four

    confirmation = account.confirm(billing_client, [first, second, third])
    emulator.wait_for_deliveries()

    assert confirmation.status_code == 200
    assert "payment received" in confirmation.text
    assert [row[:3] for row in Tables(confirmation.text).tables["allocations"]] == [
        ["A-1", "$100.00", "$0.00"],
        ["A-2", "$200.00", "$0.00"],
        ["A-3", "$300.00", "$0.00"],
    ]
    combined = CombinedPayment.objects.get()
    assert combined.amount == Decimal("600.00")
    assert combined.stripe_payment_intent_id.startswith("pi_")
    assert combined.stripe_checkout_session_id == AccountCheckout.objects.get().stripe_id
    shares = list(combined.allocations.order_by("pk").values_list("invoice__invoice_number", "amount"))
    assert shares == [("A-1", Decimal("100.00")), ("A-2", Decimal("200.00")), ("A-3", Decimal("300.00"))]
    for invoice in four:
        invoice.refresh_from_db()
    assert [invoice.status for invoice in four] == [InvoiceStatus.PAID] * 3 + [InvoiceStatus.UNPAID]
    assert fourth.balance == Decimal("400.00") and not fourth.payments.exists()
    # One Checkout Session, a line per invoice named by its number only.
    assert len(sessions_created(emulator)) == 1
    session = emulator.stripe_client().v1.checkout.sessions.retrieve(combined.stripe_checkout_session_id)
    items = emulator.stripe_client().v1.checkout.sessions.line_items.list(session.id).data
    assert [(item.description, item.amount_total) for item in items] == [
        ("Invoice A-1", 10000),
        ("Invoice A-2", 20000),
        ("Invoice A-3", 30000),
    ]
    assert session.payment_method_types == ["card"]
    assert set(session.metadata.to_dict()) == {"caseflow_site_id", "caseflow_account_checkout"}
    # Both of Stripe's events came and went: still one payment, one receipt naming every invoice.
    assert Payment.objects.count() == 3
    assert len(mail.outbox) == 1
    assert all(number in mail.outbox[0].body for number in ("A-1", "A-2", "A-3"))


def test_a_smaller_amount_pays_the_earliest_due_first(online, four, account, billing_client, emulator):
    online.allow_amount_edit = True
    online.save()
    first, second, third, _fourth = four

    confirmation = account.confirm(billing_client, [third, second], amount="250.00")
    emulator.wait_for_deliveries()

    assert [row[:3] for row in Tables(confirmation.text).tables["allocations"]] == [
        ["A-2", "$200.00", "$0.00"],
        ["A-3", "$50.00", "$250.00"],
    ]
    second.refresh_from_db()
    third.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, third.status) == (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID)
    assert third.balance == Decimal("250.00")
    assert first.balance == Decimal("100.00"), "an invoice not ticked receives nothing"
    assert CombinedPayment.objects.get().amount == Decimal("250.00")


def test_ticking_nothing_is_refused_at_the_list_and_stripe_is_not_asked(
    online, four, account, billing_client, emulator
):
    refused = account.pay(billing_client, [])

    assert refused.status_code == 400
    assert errors(refused.text) == {"cf-invoices-USD-error": "Tick at least one invoice to pay."}
    assert sessions_created(emulator) == []
    assert not AccountCheckout.objects.exists()


def test_an_amount_over_the_ticked_total_is_refused_at_its_field_and_kept(
    online, four, account, billing_client, emulator
):
    online.allow_amount_edit = True
    online.save()

    refused = account.pay(billing_client, four[:2], amount="300.01")

    assert refused.status_code == 400
    assert errors(refused.text) == {"cf-amount-USD-error": "You can pay at most the balance due, $300.00."}
    assert 'value="300.01"' in refused.text
    ticked = {str(invoice.pk) for invoice in four[:2]}
    for invoice in four:
        box = f'value="{invoice.pk}" id="cf-pay-{invoice.pk}" checked'
        assert (box in refused.text) == (str(invoice.pk) in ticked)
    assert sessions_created(emulator) == []


def test_another_clients_invoice_cannot_be_slipped_in(
    online, four, account, billing_client, other_client, make_invoice, emulator
):
    theirs = make_invoice(number="Z-1", client=other_client)

    refused = account.pay(billing_client, [four[0], theirs])

    assert refused.status_code == 400
    assert "can no longer be paid here" in errors(refused.text)["cf-invoices-USD-error"]
    assert sessions_created(emulator) == []


def test_a_repeat_click_reuses_the_open_session(online, four, account, billing_client, emulator):
    first = account.pay(billing_client, four[:2]).headers["Location"]
    again = account.pay(billing_client, four[:2]).headers["Location"]
    other = account.pay(billing_client, four[:3]).headers["Location"]

    assert first == again != other
    assert len(sessions_created(emulator)) == 2
    assert AccountCheckout.objects.filter(status=CheckoutStatus.OPEN).count() == 1


def test_an_invoice_voided_while_the_client_pays_sets_the_whole_payment_aside(
    online, four, account, billing_client, emulator
):
    clicked = account.pay(billing_client, four[:2])
    first = four[0]
    first.voided_at = first.issue_date  # voided in the admin meanwhile (its open pages are not closed here)
    type(first).objects.filter(pk=first.pk).update(voided_at=first.voided_at)

    returned = account.pay_on_checkout(clicked.headers["Location"])
    page = account.session.get(returned.headers["Location"], timeout=10)
    emulator.wait_for_deliveries()

    assert "changed while you were paying" in page.text
    assert not CombinedPayment.objects.exists() and not Payment.objects.exists()
    kept = UnappliedPayment.objects.get()
    assert (kept.amount, kept.reason) == (Decimal("300.00"), UnappliedReason.INVOICE_VOID)


def test_a_new_total_on_a_ticked_invoice_closes_the_open_account_checkout(
    online, four, account, billing_client, emulator
):
    account.pay(billing_client, four[:2])
    checkout = AccountCheckout.objects.get()
    invoice = four[1]

    invoice.lines.update(unit_price=Decimal("250.00"))
    invoice.refresh_from_db()
    invoice.save_revision().publish()

    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.EXPIRED
    session = emulator.stripe_client().v1.checkout.sessions.retrieve(checkout.stripe_id)
    assert session.status == "expired"


def test_cancelling_on_stripe_comes_back_to_the_account_page(online, four, account, billing_client):
    back = account.session.get(account.url(billing_client, "cancelled/"), timeout=10)

    assert back.url.endswith(f"/billing/account/{billing_client.account_token}/")
    assert "Payment cancelled. Nothing was charged." in back.text
