"""Every reconciliation action says what it will record on which invoice, and records only once confirmed."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from caseflow_wagtail import ledger
from caseflow_wagtail.models import (
    Adjustment,
    AdjustmentKind,
    Payment,
    StripeDispute,
    StripeRefund,
    UnappliedPayment,
    UnappliedReason,
    UnappliedStatus,
)

from .confirm_pages import confirm_form

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirm": "yes"}


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("finance", "finance@firm.test", "pw"))
    return client


@pytest.fixture
def paid(make_invoice):
    invoice = make_invoice(number="RC-0001", lines=[("Conveyancing", "1", "400.00", None)])
    payment = ledger.record_payment(
        invoice,
        amount=Decimal("400.00"),
        currency="USD",
        stripe_payment_intent_id="pi_rc1",
        stripe_charge_id="ch_rc1",
        send_receipt=False,
    ).entry
    invoice.refresh_from_db()
    return invoice, payment


@pytest.fixture
def refund(paid) -> StripeRefund:
    invoice, payment = paid
    return StripeRefund.objects.create(
        stripe_id="re_rc1",
        payment=payment,
        invoice=invoice,
        amount=Decimal("150.00"),
        currency="USD",
        status="succeeded",
        refunded_at=timezone.now(),
    )


@pytest.fixture
def lost_dispute(paid) -> StripeDispute:
    invoice, payment = paid
    return StripeDispute.objects.create(
        stripe_id="dp_rc1",
        payment=payment,
        invoice=invoice,
        amount=Decimal("400.00"),
        currency="USD",
        status="lost",
        opened_at=timezone.now(),
    )


@pytest.fixture
def set_aside(make_invoice, home_page, billing_client) -> UnappliedPayment:
    make_invoice(number="RC-0009", lines=[("Advice", "1", "75.00", None)])
    return UnappliedPayment.objects.create(
        site=home_page.get_site(),
        client=billing_client,
        amount=Decimal("75.00"),
        currency="USD",
        reason=UnappliedReason.UNKNOWN_SESSION,
        stripe_payment_intent_id="pi_setaside",
    )


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize(
    ("kind", "recorded", "says"),
    [
        (
            "refund",
            [AdjustmentKind.REFUND],
            "Confirming records a refund of $150.00 on the invoice: the client owes it again.",
        ),
        (
            "credit",
            [AdjustmentKind.CREDIT, AdjustmentKind.REFUND],
            "Confirming records a refund of $150.00 and a credit of $150.00 on the invoice",
        ),
    ],
)
def test_a_stripe_refund_is_recorded_only_from_its_confirm_page(staff, refund, kind, recorded, says):
    url = reverse("caseflow_reconciliation:reconcile_refund", args=[refund.pk])
    back = reverse("wagtailadmin_pages:edit", args=[refund.invoice_id])

    page = staff.get(url, {"kind": kind, "next": back})

    assert page.status_code == 200
    shown = text_of(page)
    assert "Stripe refunded $150.00 of a payment on invoice RC-0001 (Acme Holdings), balance $0.00." in shown
    assert says in shown
    assert Adjustment.objects.count() == 0

    # The one-click form of before: the same page again, nothing recorded.
    unconfirmed = staff.post(url, {"kind": kind, "next": back})
    assert unconfirmed.status_code == 200 and says in text_of(unconfirmed)
    assert Adjustment.objects.count() == 0

    fields = confirm_form(page)
    assert fields.pop("csrfmiddlewaretoken")
    assert fields == {"kind": kind, "next": back, "confirm": "yes"}
    done = staff.post(url, fields)

    assert done.status_code == 302 and done["Location"] == back
    assert sorted(Adjustment.objects.values_list("kind", flat=True)) == recorded
    refund.refresh_from_db()
    assert refund.adjustment is not None
    # Confirming again (a second tab, a double click) records nothing more.
    again = staff.post(url, fields, follow=True)
    assert "already recorded on invoice RC-0001" in again.content.decode()
    assert Adjustment.objects.count() == len(recorded)


def test_a_refund_without_a_choice_of_refund_or_credit_records_nothing(staff, refund):
    url = reverse("caseflow_reconciliation:reconcile_refund", args=[refund.pk])

    answer = staff.post(url, {"kind": "gift", **CONFIRMED}, follow=True)

    assert "Choose refund or credit." in answer.content.decode()
    assert Adjustment.objects.count() == 0


def test_a_lost_dispute_is_recorded_only_from_its_confirm_page(staff, lost_dispute):
    url = reverse("caseflow_reconciliation:record_dispute_loss", args=[lost_dispute.pk])

    page = staff.get(url)

    shown = text_of(page)
    assert "The client's bank returned $400.00 of a payment on invoice RC-0001 (Acme Holdings)" in shown
    assert "dp_rc1" in shown
    assert "Confirming records a refund of $400.00 on the invoice: the client owes it again." in shown
    assert staff.post(url).status_code == 200
    assert Adjustment.objects.count() == 0

    staff.post(url, confirm_form(page))

    adjustment = Adjustment.objects.get()
    assert (adjustment.kind, adjustment.amount) == (AdjustmentKind.REFUND, Decimal("400.00"))
    lost_dispute.refresh_from_db()
    assert lost_dispute.adjustment == adjustment


def test_a_set_aside_payment_is_applied_only_from_its_confirm_page(staff, set_aside):
    url = reverse("caseflow_reconciliation:apply_unapplied", args=[set_aside.pk])

    page = staff.get(url, {"invoice_number": "RC-0009"})

    shown = text_of(page)
    assert "Stripe took $75.00 (pi_setaside) that was not credited to any invoice" in shown
    assert (
        "Confirming records a payment of $75.00 on invoice RC-0009 (Acme Holdings), balance $75.00." in shown
    )
    assert staff.post(url, {"invoice_number": "RC-0009"}).status_code == 200
    assert not Payment.objects.exists()

    staff.post(url, confirm_form(page))

    payment = Payment.objects.get()
    assert payment.invoice.invoice_number == "RC-0009" and payment.amount == Decimal("75.00")
    set_aside.refresh_from_db()
    assert set_aside.status == UnappliedStatus.APPLIED


def test_applying_to_an_unknown_invoice_number_says_so_and_records_nothing(staff, set_aside):
    url = reverse("caseflow_reconciliation:apply_unapplied", args=[set_aside.pk])

    answer = staff.get(url, {"invoice_number": "NOPE-1"}, follow=True)

    assert "No invoice NOPE-1 on this site." in answer.content.decode()
    assert not Payment.objects.exists()


def test_a_set_aside_payment_is_marked_refunded_only_from_its_confirm_page(staff, set_aside):
    url = reverse("caseflow_reconciliation:refund_unapplied", args=[set_aside.pk])

    page = staff.get(url)

    shown = text_of(page)
    assert "Stripe took $75.00 (pi_setaside)" in shown
    assert "nothing is credited to any invoice. This does not refund it in Stripe." in shown
    assert staff.post(url).status_code == 200
    set_aside.refresh_from_db()
    assert set_aside.status == UnappliedStatus.NEEDS_REVIEW

    staff.post(url, confirm_form(page))

    set_aside.refresh_from_db()
    assert set_aside.status == UnappliedStatus.REFUNDED and not Payment.objects.exists()


def test_the_listing_and_the_editor_link_to_the_confirm_pages(staff, refund, lost_dispute, set_aside):
    index = staff.get(reverse("caseflow_reconciliation:index")).content.decode()
    editor = staff.get(reverse("wagtailadmin_pages:edit", args=[refund.invoice_id])).content.decode()
    reconcile = reverse("caseflow_reconciliation:reconcile_refund", args=[refund.pk])
    dispute = reverse("caseflow_reconciliation:record_dispute_loss", args=[lost_dispute.pk])

    for body in (index, editor):
        assert f'href="{reconcile}?kind=refund&amp;next=' in body
        assert f'href="{reconcile}?kind=credit&amp;next=' in body
        assert f'href="{dispute}?next=' in body
        assert f'formaction="{reconcile}' not in body
    assert re.search(
        rf'<form action="{reverse("caseflow_reconciliation:apply_unapplied", args=[set_aside.pk])}" method="GET">',
        index,
    )
    assert f'href="{reverse("caseflow_reconciliation:refund_unapplied", args=[set_aside.pk])}?next=' in index
    assert Adjustment.objects.count() == 0
