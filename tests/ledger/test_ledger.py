"""The ledger: every change of money, in two-, zero- and three-decimal currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import PageLogEntry

from caseflow_wagtail import audit, ledger, money
from caseflow_wagtail.exceptions import LedgerError
from caseflow_wagtail.models import (
    Adjustment,
    AdjustmentKind,
    InvoicePage,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentSource,
)

pytestmark = pytest.mark.django_db

MONEY_ACTIONS = (audit.PAYMENT_RECORDED, audit.ADJUSTMENT_RECORDED)


def pay(invoice, amount, **kwargs):
    kwargs.setdefault("currency", invoice.currency)
    kwargs.setdefault("method", PaymentMethod.BANK_TRANSFER)
    return ledger.record_payment(invoice, amount=Decimal(amount), **kwargs)


def refund(invoice, amount, **kwargs):
    kwargs.setdefault("currency", invoice.currency)
    kwargs.setdefault("reason", "Returned to the client")
    return ledger.record_adjustment(invoice, kind=AdjustmentKind.REFUND, amount=Decimal(amount), **kwargs)


def credit(invoice, amount, **kwargs):
    kwargs.setdefault("currency", invoice.currency)
    kwargs.setdefault("reason", "Goodwill")
    return ledger.record_adjustment(invoice, kind=AdjustmentKind.CREDIT, amount=Decimal(amount), **kwargs)


def reload(invoice) -> InvoicePage:
    return InvoicePage.objects.get(pk=invoice.pk)


def state(invoice) -> tuple:
    """Everything a refused call must leave untouched."""
    row = reload(invoice)
    return (
        Payment.objects.filter(invoice=invoice).count(),
        Adjustment.objects.filter(invoice=invoice).count(),
        PageLogEntry.objects.filter(page=invoice, action__in=MONEY_ACTIONS).count(),
        row.amount_paid,
        row.amount_refunded,
        row.amount_credited,
        row.balance,
    )


def assert_status(invoice, status):
    row = reload(invoice)
    assert row.status == status
    # The admin's filter agrees with the property.
    assert InvoicePage.objects.with_status(status).filter(pk=invoice.pk).exists()


# -- balances and status ---------------------------------------------------------------------------------


def test_new_invoice_owes_its_total(invoice, case):
    row = reload(invoice)
    assert row.total == case.total
    assert row.balance == case.total
    assert_status(invoice, InvoiceStatus.UNPAID)


def test_partial_then_full_payment(invoice, case):
    first = pay(invoice, case.part)

    assert first.created
    assert reload(invoice).balance == case.total - Decimal(case.part)
    assert_status(invoice, InvoiceStatus.PARTIALLY_PAID)

    pay(invoice, case.total - Decimal(case.part))

    row = reload(invoice)
    assert row.amount_paid == case.total
    assert row.balance == 0
    assert not row.is_overpaid
    assert not row.is_payable
    assert_status(invoice, InvoiceStatus.PAID)


def test_overpayment_is_accepted_and_flagged(invoice, case):
    extra = Decimal(case.part)

    result = pay(invoice, case.total + extra)

    assert result.created
    row = reload(invoice)
    assert row.balance == -extra
    assert row.is_overpaid
    assert_status(invoice, InvoiceStatus.PAID)


def test_a_refund_reopens_the_balance(invoice, case):
    pay(invoice, case.total)
    assert_status(invoice, InvoiceStatus.PAID)

    result = refund(invoice, case.part)

    assert result.created
    row = reload(invoice)
    assert row.amount_refunded == Decimal(case.part)
    assert row.balance == Decimal(case.part)
    assert row.is_payable
    assert_status(invoice, InvoiceStatus.PARTIALLY_PAID)

    refund(invoice, case.total - Decimal(case.part))

    assert reload(invoice).balance == case.total
    assert_status(invoice, InvoiceStatus.UNPAID)


def test_a_credit_lowers_what_is_owed(invoice, case):
    credit(invoice, case.part)

    row = reload(invoice)
    assert row.amount_credited == Decimal(case.part)
    assert row.balance == case.total - Decimal(case.part)
    # Nothing was paid, so a credit alone does not make the invoice partially paid.
    assert_status(invoice, InvoiceStatus.UNPAID)

    pay(invoice, row.balance)

    assert reload(invoice).balance == 0
    assert_status(invoice, InvoiceStatus.PAID)


def test_a_credit_of_the_whole_balance_settles_the_invoice(invoice, case):
    credit(invoice, case.total)

    assert reload(invoice).balance == 0
    assert_status(invoice, InvoiceStatus.PAID)


def test_a_refund_beyond_what_was_paid_is_refused(invoice, case):
    pay(invoice, case.part)
    before = state(invoice)

    with pytest.raises(LedgerError, match="cannot exceed what was paid"):
        refund(invoice, Decimal(case.part) + Decimal(case.unit))
    assert state(invoice) == before

    refund(invoice, case.part)
    after_full_refund = state(invoice)

    with pytest.raises(LedgerError, match="cannot exceed what was paid"):
        refund(invoice, case.unit)
    assert state(invoice) == after_full_refund


def test_a_refund_of_one_payment_is_limited_to_that_payment(invoice, case):
    first = pay(invoice, case.part).entry
    pay(invoice, case.part)
    before = state(invoice)

    # The invoice holds twice this much, but the payment named holds only ``part``.
    with pytest.raises(LedgerError, match="payment it returns"):
        refund(invoice, Decimal(case.part) + Decimal(case.unit), payment=first)
    assert state(invoice) == before

    refund(invoice, case.part, payment=first)
    after = state(invoice)
    with pytest.raises(LedgerError, match="payment it returns"):
        refund(invoice, case.unit, payment=first)
    assert state(invoice) == after
    # Unlinked, the rest of the invoice's money can still be returned.
    refund(invoice, case.part)
    assert reload(invoice).balance == case.total


def test_a_refund_with_nothing_paid_is_refused(invoice, case):
    before = state(invoice)

    with pytest.raises(LedgerError):
        refund(invoice, case.unit)

    assert state(invoice) == before


def test_a_credit_beyond_the_balance_is_refused(invoice, case):
    pay(invoice, case.part)
    before = state(invoice)
    balance = reload(invoice).balance

    with pytest.raises(LedgerError, match="cannot exceed the balance"):
        credit(invoice, balance + Decimal(case.unit))
    assert state(invoice) == before


def test_no_credit_on_an_overpaid_invoice(invoice, case):
    pay(invoice, case.total + Decimal(case.unit))
    before = state(invoice)

    with pytest.raises(LedgerError):
        credit(invoice, case.unit)

    assert state(invoice) == before


# -- idempotency -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stripe_ids",
    [
        {"stripe_payment_intent_id": "pi_3Qabc"},
        {"stripe_charge_id": "ch_3Qabc"},
        {"stripe_checkout_session_id": "cs_test_a1b2"},
        {"stripe_payment_intent_id": "pi_3Qdef", "stripe_charge_id": "ch_3Qdef"},
    ],
    ids=["payment_intent", "charge", "checkout_session", "intent_and_charge"],
)
def test_the_same_stripe_payment_records_once(invoice, case, signals, stripe_ids):
    first = pay(invoice, case.part, method=PaymentMethod.CARD, source=PaymentSource.WEBHOOK, **stripe_ids)
    second = pay(
        invoice, case.part, method=PaymentMethod.CARD, source=PaymentSource.SUCCESS_PAGE, **stripe_ids
    )

    assert first.created
    assert not second.created
    assert second.entry.pk == first.entry.pk
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert PageLogEntry.objects.filter(page=invoice, action=audit.PAYMENT_RECORDED).count() == 1
    assert len(signals.payments) == 1
    assert reload(invoice).balance == case.total - Decimal(case.part)


def test_a_charge_id_alone_finds_the_payment_recorded_with_its_intent(invoice, case):
    # The success page knows the PaymentIntent and charge; a later charge event may carry the charge only.
    first = pay(invoice, case.part, stripe_payment_intent_id="pi_1", stripe_charge_id="ch_1")
    second = pay(invoice, case.part, stripe_charge_id="ch_1")

    assert not second.created
    assert second.entry.pk == first.entry.pk
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_the_same_stripe_refund_records_once(invoice, case, signals):
    pay(invoice, case.total)

    first = refund(invoice, case.part, stripe_refund_id="re_3Qabc")
    second = refund(invoice, case.part, stripe_refund_id="re_3Qabc")

    assert first.created
    assert not second.created
    assert second.entry.pk == first.entry.pk
    assert Adjustment.objects.filter(invoice=invoice).count() == 1
    assert PageLogEntry.objects.filter(page=invoice, action=audit.ADJUSTMENT_RECORDED).count() == 1
    assert len(signals.adjustments) == 1
    assert reload(invoice).balance == Decimal(case.part)


def test_a_stripe_id_recorded_on_one_invoice_is_refused_on_another(make_invoice, case):
    one = make_invoice(lines=case.lines(), currency=case.code)
    other = make_invoice(lines=case.lines(), currency=case.code)
    pay(one, case.part, stripe_payment_intent_id="pi_shared")
    before = state(other)

    with pytest.raises(LedgerError, match=one.invoice_number):
        pay(other, case.part, stripe_payment_intent_id="pi_shared")

    assert state(other) == before


def test_payments_without_external_ids_are_all_recorded(invoice, case):
    # Two cheques for the same amount on the same day are two payments, not a duplicate.
    pay(invoice, case.unit, method=PaymentMethod.CHEQUE, reference="cheque 1")
    pay(invoice, case.unit, method=PaymentMethod.CHEQUE, reference="cheque 1")

    assert Payment.objects.filter(invoice=invoice).count() == 2
    assert reload(invoice).amount_paid == 2 * Decimal(case.unit)


# -- refused input -----------------------------------------------------------------------------------------


BAD_PAYMENTS = {
    "another_currency": lambda case: {"amount": case.part, "currency": "EUR"},
    "unknown_currency": lambda case: {"amount": case.part, "currency": "ZZZ"},
    "zero": lambda case: {"amount": "0"},
    "negative": lambda case: {"amount": "-" + case.part},
    "too_many_decimals": lambda case: {"amount": case.too_precise},
    "not_a_number": lambda case: {"amount": "ten"},
    "not_finite": lambda case: {"amount": "Infinity"},
    "unknown_method": lambda case: {"amount": case.part, "method": "bitcoin"},
    "unknown_source": lambda case: {"amount": case.part, "source": "carrier_pigeon"},
}


@pytest.mark.parametrize("bad", BAD_PAYMENTS.values(), ids=BAD_PAYMENTS.keys())
def test_a_refused_payment_writes_nothing(invoice, case, signals, bad):
    kwargs = {"currency": invoice.currency, "method": PaymentMethod.BANK_TRANSFER, **bad(case)}
    amount = kwargs.pop("amount")
    before = state(invoice)

    with pytest.raises(LedgerError):
        ledger.record_payment(invoice, amount=amount, **kwargs)

    assert state(invoice) == before
    assert signals.payments == []


BAD_ADJUSTMENTS = {
    "another_currency": lambda case: {"amount": case.unit, "currency": "EUR"},
    "zero": lambda case: {"amount": "0"},
    "negative": lambda case: {"amount": "-" + case.unit},
    "too_many_decimals": lambda case: {"amount": case.too_precise},
    "unknown_kind": lambda case: {"amount": case.unit, "kind": "discount"},
    "no_reason": lambda case: {"amount": case.unit, "reason": "   "},
}


@pytest.mark.parametrize("kind", [AdjustmentKind.REFUND, AdjustmentKind.CREDIT])
@pytest.mark.parametrize("bad", BAD_ADJUSTMENTS.values(), ids=BAD_ADJUSTMENTS.keys())
def test_a_refused_adjustment_writes_nothing(invoice, case, signals, kind, bad):
    pay(invoice, case.part)
    kwargs = {"kind": kind, "currency": invoice.currency, "reason": "Because", **bad(case)}
    before = state(invoice)

    with pytest.raises(LedgerError):
        ledger.record_adjustment(invoice, **kwargs)

    assert state(invoice) == before
    assert signals.adjustments == []


def test_a_refund_of_another_invoices_payment_is_refused(make_invoice, case):
    one = make_invoice(lines=case.lines(), currency=case.code)
    other = make_invoice(lines=case.lines(), currency=case.code)
    paid_on_one = pay(one, case.part).entry
    pay(other, case.part)
    before = state(other)

    with pytest.raises(LedgerError):
        refund(other, case.unit, payment=paid_on_one)

    assert state(other) == before


def test_lowercase_currency_is_accepted(invoice, case):
    result = pay(invoice, case.part, currency=case.code.lower())

    assert result.entry.currency == case.code


def test_an_invoice_that_does_not_exist_is_refused(db):
    with pytest.raises(LedgerError):
        ledger.record_payment(987654, amount=Decimal("1.00"), currency="USD")


def test_a_manual_payment_on_a_draft_is_refused(make_invoice, case):
    draft = make_invoice(lines=case.lines(), currency=case.code, publish=False)
    before = state(draft)

    with pytest.raises(LedgerError, match="Publish the invoice"):
        pay(draft, case.part, source=PaymentSource.MANUAL)

    assert state(draft) == before


def test_a_manual_payment_on_a_void_invoice_is_refused(invoice, case):
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now(), void_reason="Issued in error")
    before = state(invoice)

    with pytest.raises(LedgerError, match="void"):
        pay(invoice, case.part, source=PaymentSource.MANUAL)

    assert state(invoice) == before
    assert reload(invoice).status == InvoiceStatus.VOID


def test_a_credit_on_a_void_invoice_is_refused_but_a_refund_of_money_received_is_not(invoice, case):
    pay(invoice, case.part)
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now(), void_reason="Issued in error")
    before = state(invoice)

    with pytest.raises(LedgerError, match="void"):
        credit(invoice, case.part)

    assert state(invoice) == before
    refund(invoice, case.part)
    assert reload(invoice).amount_refunded == Decimal(case.part)


def test_money_stripe_took_is_recorded_even_on_a_void_invoice(invoice, case):
    # A card payment Stripe has captured must reach the books, whatever the invoice's state, so that it
    # can be refunded; only hand-entered payments are refused.
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now())

    result = pay(
        invoice, case.part, method=PaymentMethod.CARD, source=PaymentSource.WEBHOOK, stripe_charge_id="ch_v"
    )

    assert result.created
    assert reload(invoice).amount_paid == Decimal(case.part)


# -- audit log and signals ---------------------------------------------------------------------------------


def test_each_payment_is_in_the_audit_log_with_its_user(invoice, case, staff_user):
    result = pay(invoice, case.part, user=staff_user, reference="TRF 889")

    entry = PageLogEntry.objects.get(page=invoice, action=audit.PAYMENT_RECORDED)
    assert entry.user_id == staff_user.pk
    assert entry.data["payment_id"] == result.entry.pk
    assert Decimal(entry.data["amount"]) == Decimal(case.part)
    assert entry.data["currency"] == case.code
    assert Decimal(entry.data["balance"]) == case.total - Decimal(case.part)
    assert result.entry.recorded_by == staff_user
    # The history message names the amount in the invoice's currency.
    assert money.format_money(Decimal(case.part), case.code) in entry.message


def test_each_adjustment_is_in_the_audit_log_with_its_user(invoice, case, staff_user):
    pay(invoice, case.total)

    refund(invoice, case.part, user=staff_user)
    credit(invoice, case.unit, user=staff_user)

    entries = list(
        PageLogEntry.objects.filter(page=invoice, action=audit.ADJUSTMENT_RECORDED).order_by(
            "timestamp", "pk"
        )
    )
    assert [entry.data["kind"] for entry in entries] == ["refund", "credit"]
    assert all(entry.user_id == staff_user.pk for entry in entries)
    assert Decimal(entries[-1].data["balance"]) == Decimal(case.part) - Decimal(case.unit)


def test_a_webhook_payment_is_logged_without_a_user(invoice, case):
    pay(invoice, case.part, source=PaymentSource.WEBHOOK, stripe_payment_intent_id="pi_anon")

    entry = PageLogEntry.objects.get(page=invoice, action=audit.PAYMENT_RECORDED)
    assert entry.user is None


def test_signals_fire_once_with_the_entry_and_the_updated_invoice(invoice, case, signals):
    payment = pay(invoice, case.total).entry
    adjustment = refund(invoice, case.part).entry

    assert len(signals.payments) == 1
    assert signals.payments[0]["payment"].pk == payment.pk
    assert signals.payments[0]["invoice"].pk == invoice.pk
    assert signals.payments[0]["invoice"].balance == 0
    assert len(signals.adjustments) == 1
    assert signals.adjustments[0]["adjustment"].pk == adjustment.pk
    assert signals.adjustments[0]["invoice"].balance == Decimal(case.part)


# -- revisions never carry money or an old link back -------------------------------------------------------


def test_publishing_an_old_revision_keeps_the_ledger_totals(invoice, case):
    first_revision = reload(invoice).latest_revision
    pay(invoice, case.part)
    expected_balance = case.total - Decimal(case.part)

    first_revision.publish()

    row = reload(invoice)
    assert row.amount_paid == Decimal(case.part)
    assert row.balance == expected_balance
    assert_status(invoice, InvoiceStatus.PARTIALLY_PAID)


def test_an_editor_holding_a_stale_copy_does_not_wipe_a_payment(invoice, case):
    # The editor opened the invoice before the client paid, then saves and publishes a change.
    stale = reload(invoice)
    pay(invoice, case.part)

    stale.notes = "Thank you for your instructions."
    stale.save_revision().publish()

    row = reload(invoice)
    assert row.notes == "Thank you for your instructions."
    assert row.amount_paid == Decimal(case.part)
    assert row.balance == case.total - Decimal(case.part)


def test_publishing_an_old_revision_does_not_unvoid(invoice, case):
    first_revision = reload(invoice).latest_revision
    InvoicePage.objects.filter(pk=invoice.pk).update(voided_at=timezone.now(), void_reason="Issued twice")

    first_revision.publish()

    row = reload(invoice)
    assert row.voided_at is not None
    assert row.void_reason == "Issued twice"
    assert row.status == InvoiceStatus.VOID


def test_publishing_an_old_revision_keeps_the_regenerated_link(client, invoice):
    page = reload(invoice)
    first_revision = page.latest_revision
    old_token = page.public_token
    new_token = page.regenerate_public_token()

    reload(invoice).latest_revision.publish()
    first_revision.refresh_from_db()
    first_revision.publish()

    assert reload(invoice).public_token == new_token
    assert client.get(f"/billing/invoice/{old_token}/").status_code == 404
    assert client.get(f"/billing/invoice/{new_token}/").status_code == 200


def test_an_amount_too_large_to_store_is_refused_with_a_message(make_invoice):
    from caseflow_wagtail.exceptions import LedgerError
    from caseflow_wagtail.models import Payment

    invoice = make_invoice()
    with pytest.raises(LedgerError, match="too large"):
        ledger.record_payment(invoice, amount=Decimal("1000000000000000"), currency="USD", method="cheque")
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("currency", "lines", "amounts"),
    [
        ("USD", "100.00", ["40.10", "0.20", "19.70"]),
        ("KWD", "100.000", ["40.105", "0.215"]),
        ("JPY", "10000", ["4010", "3"]),
    ],
)
def test_an_invoice_with_payments_can_still_be_edited_and_published(make_invoice, currency, lines, amounts):
    # SQLite's SUM() of 40.10 + 0.20 + … is floating point (Decimal("40.1000000000000"), or worse), which
    # the amount fields refused, so an invoice with payments could no longer be saved or published.
    invoice = make_invoice(lines=[("Advice", "1", lines, None)], currency=currency)
    for amount in amounts:
        pay(invoice, amount)
    refund(invoice, amounts[1])
    credit(invoice, amounts[-1])

    page = reload(invoice)
    page.save()
    page.title = "edited"
    page.save_revision().publish()

    row = reload(invoice)
    expected_paid = sum((Decimal(a) for a in amounts), Decimal(0))
    assert row.amount_paid == expected_paid
    assert row.balance == Decimal(lines) - expected_paid + Decimal(amounts[1]) - Decimal(amounts[-1])


def test_a_fee_in_another_currency_keeps_that_currencys_places(make_invoice):
    # A yen payment to an account that settles in dollars: Stripe's fee is $1.45, which is not ¥1.
    invoice = make_invoice(lines=[("Patent filing", "1", "5000", None)], currency="JPY")
    payment = pay(invoice, "5000", method=PaymentMethod.CARD, stripe_charge_id="ch_yen").entry

    noted = ledger.note_fees(
        payment, fee=Decimal("1.45"), net=Decimal("32.17"), currency="usd", exchange_rate=Decimal("0.0067")
    )

    assert noted
    payment.refresh_from_db()
    assert (payment.fee, payment.net, payment.fee_currency) == (Decimal("1.45"), Decimal("32.17"), "USD")
    assert payment.exchange_rate == Decimal("0.0067")
    assert (payment.display_fee, payment.display_net) == ("$1.45", "$32.17")
    assert payment.display_amount == "¥5,000" and not payment.fee_pending
    assert reload(invoice).amount_paid == Decimal("5000")  # information only: the invoice keeps the gross
    assert not ledger.note_fees(payment, fee=Decimal("9"), net=Decimal("9"), currency="USD")  # noted once


def test_a_fee_stored_before_its_currency_was_is_in_the_payments_currency(make_invoice):
    invoice = make_invoice(lines=[("Patent filing", "1", "5000", None)], currency="JPY")
    payment = pay(invoice, "5000", method=PaymentMethod.CARD, stripe_charge_id="ch_old").entry
    Payment.objects.filter(pk=payment.pk).update(fee=Decimal("175"), net=Decimal("4825"), fee_currency="")
    payment.refresh_from_db()

    assert (payment.fee_currency_code, payment.display_fee, payment.display_exchange_rate) == (
        "JPY",
        "¥175",
        "",
    )
    unpaid = pay(make_invoice(), "10.00").entry
    assert unpaid.fee_currency_code == "" and unpaid.display_fee == ""
