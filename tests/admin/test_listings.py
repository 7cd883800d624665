from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from caseflow_wagtail.models import Client, InvoiceIndexPage, InvoicePage, InvoiceStatus, Payment

from .helpers import make_overdue, make_void, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(make_invoice):
    """An invoice in every status, keyed by status; the numbers never contain one another."""
    invoices = {
        InvoiceStatus.DRAFT: make_invoice(number="A-DRAFT", publish=False),
        InvoiceStatus.UNPAID: make_invoice(number="B-UNPAID"),
        InvoiceStatus.PARTIALLY_PAID: make_invoice(number="C-PART"),
        InvoiceStatus.PAID: make_invoice(number="D-SETTLED"),
        InvoiceStatus.OVERDUE: make_invoice(number="E-LATE"),
        InvoiceStatus.VOID: make_invoice(number="F-VOID"),
    }
    pay(invoices[InvoiceStatus.PARTIALLY_PAID], "40.00")
    pay(invoices[InvoiceStatus.PAID], "100.00")
    make_overdue(invoices[InvoiceStatus.OVERDUE])
    make_void(invoices[InvoiceStatus.VOID])
    for status, invoice in invoices.items():
        assert invoice.status == status
    return invoices


def listed_numbers(response, candidates) -> set[str]:
    body = response.content.decode()
    return {number for number in candidates if re.search(rf">\s*{re.escape(number)}\s*<", body)}


def test_billing_menu_lists_every_section(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Billing" in body
    for url_name in (
        "caseflow_invoices:index",
        "caseflow_payments:index",
        "caseflow_adjustments:index",
        "wagtailsnippets_caseflow_wagtail_client:list",
    ):
        assert reverse(url_name) in body


@pytest.mark.parametrize("status", list(InvoiceStatus))
def test_status_filter_returns_exactly_the_invoices_in_that_status(admin_client, one_of_each, status):
    numbers = {invoice.invoice_number for invoice in one_of_each.values()}

    response = admin_client.get(reverse("caseflow_invoices:index"), {"status": status.value})

    assert response.status_code == 200
    assert listed_numbers(response, numbers) == {one_of_each[status].invoice_number}


def test_invoice_listing_shows_billing_columns_and_links_to_the_page_editor(admin_client, make_invoice):
    invoice = make_invoice(number="INV-0042", lines=[("Advice", "3", "150.00", None)])

    response = admin_client.get(reverse("caseflow_invoices:index"))

    body = response.content.decode()
    assert response.status_code == 200
    assert listed_numbers(response, {"INV-0042"}) == {"INV-0042"}
    assert "Acme Holdings" in body
    assert "$450.00" in body
    assert reverse("wagtailadmin_pages:edit", args=(invoice.pk,)) in body
    assert "Unpaid" in body
    assert reverse("caseflow_wagtail_admin:add_invoice") in body


def test_invoice_search_by_number_and_client_name(admin_client, make_invoice):
    other = Client.objects.create(name="Globex Legal")
    make_invoice(number="INV-0100")
    make_invoice(number="INV-0200", client=other)
    url = reverse("caseflow_invoices:index")
    candidates = {"INV-0100", "INV-0200"}

    assert listed_numbers(admin_client.get(url, {"q": "0100"}), candidates) == {"INV-0100"}
    assert listed_numbers(admin_client.get(url, {"q": "globex"}), candidates) == {"INV-0200"}


def test_invoice_filters_by_client_currency_and_due_date(admin_client, make_invoice):
    other = Client.objects.create(name="Globex Legal")
    make_invoice(number="INV-USD")
    make_invoice(number="INV-EUR", currency="EUR", client=other)
    late = make_invoice(number="INV-LATE")
    make_overdue(late)
    url = reverse("caseflow_invoices:index")
    candidates = {"INV-USD", "INV-EUR", "INV-LATE"}

    assert listed_numbers(admin_client.get(url, {"client": other.pk}), candidates) == {"INV-EUR"}
    assert listed_numbers(admin_client.get(url, {"currency": "EUR"}), candidates) == {"INV-EUR"}
    before = late.due_date.isoformat()
    assert listed_numbers(admin_client.get(url, {"due_date_to": before}), candidates) == {"INV-LATE"}
    after = late.issue_date.isoformat()
    assert listed_numbers(admin_client.get(url, {"due_date_from": after}), candidates) == candidates


def test_overpaid_invoice_is_flagged_in_invoice_and_payment_listings(admin_client, make_invoice):
    invoice = make_invoice(number="INV-OVER")
    pay(invoice, "150.00")
    make_invoice(number="INV-FINE")

    invoices = admin_client.get(reverse("caseflow_invoices:index"))
    overpaid_only = admin_client.get(reverse("caseflow_invoices:index"), {"overpaid": "true"})
    payments = admin_client.get(reverse("caseflow_payments:index"))

    assert "Overpaid" in invoices.content.decode()
    assert listed_numbers(overpaid_only, {"INV-OVER", "INV-FINE"}) == {"INV-OVER"}
    assert "Overpaid" in payments.content.decode()


def test_payment_listing_filters_and_inspect_view(admin_client, make_invoice):
    invoice = make_invoice(number="INV-7")
    pay(invoice, "10.00", method="cheque", reference="CHQ-991")
    pay(invoice, "20.00", method="cash", reference="CASH-17")
    cheque = Payment.objects.get(reference="CHQ-991")
    url = reverse("caseflow_payments:index")

    all_rows = admin_client.get(url).content.decode()
    cheques = admin_client.get(url, {"method": "cheque"}).content.decode()
    manual = admin_client.get(url, {"source": "manual", "currency": "USD"}).content.decode()
    inspect = admin_client.get(reverse("caseflow_payments:inspect", args=(cheque.pk,)))

    assert "CHQ-991" in all_rows and "CASH-17" in all_rows
    assert "CHQ-991" in cheques and "CASH-17" not in cheques
    assert "CHQ-991" in manual and "CASH-17" in manual
    assert inspect.status_code == 200
    assert "CHQ-991" in inspect.content.decode()


@pytest.mark.parametrize("view", ["edit", "delete", "copy", "history"])
def test_ledger_entries_have_no_edit_or_delete_views(view):
    for namespace in ("caseflow_payments", "caseflow_adjustments"):
        with pytest.raises(NoReverseMatch):
            reverse(f"{namespace}:{view}", args=(1,))


def test_adjustment_listing_and_record_form(admin_client, make_invoice):
    invoice = make_invoice(number="INV-ADJ")

    response = admin_client.post(
        reverse("caseflow_adjustments:add"),
        {"invoice": invoice.pk, "kind": "credit", "amount": "25.00", "reason": "Goodwill"},
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.balance == 75
    listing = admin_client.get(reverse("caseflow_adjustments:index")).content.decode()
    assert "Goodwill" in listing and "$25.00" in listing


def test_adjustment_refused_by_the_ledger_is_a_form_error(admin_client, make_invoice):
    invoice = make_invoice(number="INV-REF")

    response = admin_client.post(
        reverse("caseflow_adjustments:add"),
        {"invoice": invoice.pk, "kind": "refund", "amount": "10.00", "reason": "Nothing was paid"},
    )

    assert response.status_code == 200
    assert "A refund cannot exceed" in response.content.decode()
    assert not invoice.adjustments.exists()


def test_a_void_invoice_shows_no_balance_in_the_listing(admin_client, make_invoice):
    invoice = make_invoice(number="INV-VOIDED", lines=[("Advice", "1", "1140.00", None)])
    make_void(invoice)

    body = admin_client.get(reverse("caseflow_invoices:index")).content.decode()

    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*INV-VOIDED(?:(?!</tr>).)*</tr>", body, re.S).group(0)
    assert "Void" in row
    assert row.count("$1,140.00") == 1  # the total, not a balance due
    assert "—" in row


def test_a_void_invoice_is_not_offered_for_a_credit_and_a_posted_one_is_refused(admin_client, make_invoice):
    invoice = make_invoice(number="INV-GONE")
    make_void(invoice)

    form = admin_client.get(reverse("caseflow_adjustments:add")).content.decode()
    response = admin_client.post(
        reverse("caseflow_adjustments:add"),
        {"invoice": invoice.pk, "kind": "credit", "amount": "10.00", "reason": "Goodwill"},
    )

    assert "INV-GONE" not in form
    assert response.status_code == 200
    assert not invoice.adjustments.exists()
    invoice.refresh_from_db()
    assert invoice.amount_credited == 0


def test_a_void_invoice_with_money_received_can_still_be_refunded(admin_client, make_invoice):
    invoice = make_invoice(number="INV-GONE-PAID")
    pay(invoice, "40.00")
    make_void(invoice)

    form = admin_client.get(reverse("caseflow_adjustments:add")).content.decode()
    credit = admin_client.post(
        reverse("caseflow_adjustments:add"),
        {"invoice": invoice.pk, "kind": "credit", "amount": "10.00", "reason": "Goodwill"},
    )
    refund = admin_client.post(
        reverse("caseflow_adjustments:add"),
        {"invoice": invoice.pk, "kind": "refund", "amount": "40.00", "reason": "Voided: money back"},
    )

    assert "INV-GONE-PAID" in form
    assert credit.status_code == 200
    assert "This invoice is void" in credit.content.decode()
    assert refund.status_code == 302
    assert [a.kind for a in invoice.adjustments.all()] == ["refund"]


def test_clients_listing(admin_client, billing_client):
    response = admin_client.get(reverse("wagtailsnippets_caseflow_wagtail_client:list"))

    assert response.status_code == 200
    assert "Acme Holdings" in response.content.decode()


def test_add_invoice_creates_the_folder_once_and_opens_the_page_create_view(admin_client, home_page):
    assert not InvoiceIndexPage.objects.exists()

    first = admin_client.get(reverse("caseflow_wagtail_admin:add_invoice"))
    second = admin_client.get(reverse("caseflow_wagtail_admin:add_invoice"))

    index = InvoiceIndexPage.objects.get()
    assert index.get_parent().pk == home_page.pk
    expected = reverse("wagtailadmin_pages:add", args=("caseflow_wagtail", "invoicepage", index.pk))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == expected
    assert admin_client.get(expected).status_code == 200
    assert not InvoicePage.objects.exists()


def test_every_billing_page_renders(admin_client, make_invoice, billing_client):
    invoice = make_invoice()
    pay(invoice, "10.00")
    payment = Payment.objects.get()
    urls = [
        reverse("caseflow_invoices:index_results") + "?status=unpaid&q=T-",
        reverse("caseflow_payments:index_results") + "?method=bank_transfer&received_on_from=2020-01-01",
        reverse("caseflow_payments:add"),
        reverse("caseflow_payments:inspect", args=(payment.pk,)),
        reverse("caseflow_adjustments:index") + "?kind=credit&q=x",
        reverse("caseflow_adjustments:add") + f"?invoice={invoice.pk}",
        reverse("wagtailsnippets_caseflow_wagtail_client:add"),
        reverse("wagtailsnippets_caseflow_wagtail_client:edit", args=(billing_client.pk,)),
        reverse("wagtailadmin_pages:edit", args=(invoice.pk,)),
    ]

    for url in urls:
        assert admin_client.get(url).status_code == 200, url
