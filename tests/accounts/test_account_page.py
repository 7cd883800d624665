"""The client's account page: what it lists, in which currency, and only the client's, on this site."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import Page, Site

from caseflow_wagtail import ledger
from caseflow_wagtail.models import BillingSettings, InvoiceIndexPage, InvoicePage
from tests.paynow.two_sites import invoice_on

from ..admin.helpers import make_overdue, make_void, pay
from .conftest import Tables, account_path

pytestmark = pytest.mark.django_db


def invoice_path(invoice: InvoicePage) -> str:
    return f"/billing/invoice/{invoice.public_token}/"


def receipt_path(invoice: InvoicePage, payment) -> str:
    return f"/billing/invoice/{invoice.public_token}/receipts/{payment.pk}.pdf"


@pytest.fixture
def firm(home_page) -> BillingSettings:
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = "Lovelace & Babbage LLP"
    billing.firm_address = "1 Analytical Row\nLondon"
    billing.save()
    return billing


@pytest.fixture
def ledger_of_invoices(make_invoice, billing_client, other_client, other_site):
    """One client's invoices in every state that matters to the page, and what must stay off it."""
    today = timezone.localdate()
    invoices = {
        "open": make_invoice(number="AC-OPEN", lines=[("Conveyancing", "1", "1250.00", None)]),
        "late": make_invoice(number="AC-LATE", lines=[("Lease", "1", "300.00", None)]),
        "paid": make_invoice(number="AC-PAID", lines=[("Advice", "1", "400.00", None)]),
        "old": make_invoice(number="AC-OLD", lines=[("Probate", "1", "90.00", None)]),
        "jpy": make_invoice(number="AC-JPY", currency="JPY", lines=[("Review", "1", "450000", None)]),
        "kwd": make_invoice(number="AC-KWD", currency="KWD", lines=[("Arbitration", "10", "95.500", None)]),
        "draft": make_invoice(number="AC-DRAFT", publish=False),
        "void": make_invoice(number="AC-VOID"),
        "theirs": make_invoice(number="ZQ-0001", client=other_client),
        "elsewhere": invoice_on(other_site, billing_client, number="BETA-0001", amount="777.00"),
    }
    make_overdue(invoices["late"])
    pay(invoices["late"], "100.00")
    pay(invoices["paid"], "150.00", received_on=today - datetime.timedelta(days=40))
    pay(invoices["paid"], "250.00")
    # Settled thirteen months ago: older than the page's twelve.
    long_ago = today - datetime.timedelta(days=400)
    InvoicePage.objects.filter(pk=invoices["old"].pk).update(issue_date=long_ago, due_date=long_ago)
    pay(invoices["old"], "90.00", received_on=long_ago)
    pay(invoices["kwd"], "300.250")
    make_void(invoices["void"])
    return invoices


def test_the_page_lists_open_and_recently_paid_invoices_with_their_links(
    client, billing_client, ledger_of_invoices, firm
):
    invoices = ledger_of_invoices

    response = client.get(account_path(billing_client))

    assert response.status_code == 200
    tables = Tables(response.content.decode())
    late = invoices["late"]
    open_rows = tables.tables["open-invoices"]
    # The earliest due first: the overdue one, then the others (all due in 30 days) by number.
    assert [row[0] for row in open_rows] == ["AC-LATE", "AC-JPY", "AC-KWD", "AC-OPEN"]
    assert open_rows[0] == [
        "AC-LATE",
        date_format(late.issue_date),
        f"{date_format(late.due_date)} Overdue by 10 days",
        "$300.00",
        "$200.00",
        "Status: Overdue",
    ]
    assert open_rows[3][3:] == ["$1,250.00", "$1,250.00", "Status: Unpaid"]
    assert open_rows[1][3:] == ["¥450,000", "¥450,000", "Status: Unpaid"]
    assert open_rows[2][3:] == ["KWD955.000", "KWD654.750", "Status: Partially paid"]
    links = tables.links["open-invoices"]
    assert links == [invoice_path(invoices[key]) for key in ("late", "jpy", "kwd", "open")]
    assert all(client.get(link).status_code == 200 for link in links)

    paid_rows = tables.tables["paid-invoices"]
    paid = invoices["paid"]
    payments = list(paid.payments.order_by("received_on"))
    assert [row[0] for row in paid_rows] == ["AC-PAID"]
    assert paid_rows[0][3] == "$400.00"
    assert "Receipt for $150.00" in paid_rows[0][4] and "Receipt for $250.00" in paid_rows[0][4]
    assert tables.links["paid-invoices"] == [invoice_path(paid), *(receipt_path(paid, p) for p in payments)]

    body = response.content.decode()
    for absent in ("AC-OLD", "AC-DRAFT", "AC-VOID", "ZQ-0001", "BETA-0001", "Zebulon"):
        assert absent not in body
    for key in ("old", "draft", "void", "theirs", "elsewhere"):
        assert invoices[key].public_token not in body
    # The firm's details, as on the invoice page.
    assert "Lovelace &amp; Babbage LLP" in body and "1 Analytical Row" in body
    assert "Acme Holdings" in body


def test_the_balance_owed_is_given_per_currency_exactly(client, billing_client, ledger_of_invoices):
    response = client.get(account_path(billing_client))

    balances = Tables(response.content.decode()).tables["balances"]
    # Currency, open invoices, of which overdue, balance owed: no currency is ever added to another.
    assert balances == [
        ["JPY", "1", "¥0", "¥450,000"],
        ["KWD", "1", "KWD0.000", "KWD654.750"],
        ["USD", "2", "$200.00", "$1,450.00"],
    ]
    statement = response.context["statement"]
    assert [(b.currency, b.owed) for b in statement.balances] == [
        ("JPY", Decimal("450000")),
        ("KWD", Decimal("654.750")),
        ("USD", Decimal("1450.00")),
    ]


def test_a_receipt_link_on_the_page_downloads_that_payments_receipt(client, billing_client, make_invoice):
    invoice = make_invoice(number="AC-RCPT", lines=[("Advice", "1", "80.00", None)])
    pay(invoice, "80.00")

    links = Tables(client.get(account_path(billing_client)).content.decode()).links["paid-invoices"]
    receipt = client.get(links[1])

    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_an_invoice_settled_by_a_credit_is_paid_without_a_receipt(client, billing_client, make_invoice):
    invoice = make_invoice(number="AC-CRED", lines=[("Advice", "1", "50.00", None)])
    ledger.record_adjustment(
        invoice, kind="credit", amount=Decimal("50.00"), currency="USD", reason="Goodwill"
    )

    tables = Tables(client.get(account_path(billing_client)).content.decode())

    assert [row[0] for row in tables.tables["paid-invoices"]] == ["AC-CRED"]
    assert "no receipt" in tables.tables["paid-invoices"][0][4]
    assert "open-invoices" not in tables.tables and "balances" not in tables.tables


def test_a_client_with_nothing_to_show_sees_an_empty_account(client, billing_client, home_page):
    body = client.get(account_path(billing_client)).content.decode()

    assert "No open invoices." in body
    assert "No invoices paid in the last 12 months." in body
    assert "Nothing is owed" in body


def test_each_site_lists_only_its_own_invoices_for_the_same_link(
    client, billing_client, ledger_of_invoices, other_site
):
    beta = client.get(account_path(billing_client), HTTP_HOST="beta.test")

    assert beta.status_code == 200
    tables = Tables(beta.content.decode())
    assert [row[0] for row in tables.tables["open-invoices"]] == ["BETA-0001"]
    assert tables.tables["balances"] == [["USD", "1", "$0.00", "$777.00"]]
    for number in ("AC-OPEN", "AC-LATE", "AC-PAID", "AC-JPY", "AC-KWD"):
        assert number not in beta.content.decode()
    # The beta firm's name, not the default site's.
    assert "Beta Legal" in beta.content.decode()


def test_a_site_inside_another_sites_tree_keeps_its_invoices_to_itself(client, billing_client, make_invoice):
    # A site whose root page is a page of the default site's tree: its invoices are its own.
    inner_home = Site.objects.get(is_default_site=True).root_page.add_child(
        instance=Page(title="Inner", slug="inner")
    )
    inner_home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="inner-invoices"))
    inner = Site.objects.create(hostname="inner.test", port=80, root_page=inner_home, site_name="Inner")
    make_invoice(number="OUT-0001")
    invoice_on(inner, billing_client, number="IN-0001")

    outer_body = client.get(account_path(billing_client)).content.decode()
    inner_body = client.get(account_path(billing_client), HTTP_HOST="inner.test").content.decode()

    assert "OUT-0001" in outer_body and "IN-0001" not in outer_body
    assert "IN-0001" in inner_body and "OUT-0001" not in inner_body


def test_the_queries_do_not_grow_with_the_number_of_invoices(
    client, billing_client, make_invoice, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for n in range(count):
            invoice = make_invoice(lines=[("Advice", "1", "100.00", None)])
            if n % 3 == 1:
                pay(invoice, "40.00")
            elif n % 3 == 2:
                pay(invoice, "100.00")

    url = account_path(billing_client)
    add(2)
    client.get(url)  # caches warmed (the site's root paths), as on a running site
    with CaptureQueriesContext(connection) as with_two:
        assert client.get(url).status_code == 200
    # Counted now: the next request clears the connection's query log that the context reads.
    queries_with_two = len(with_two.captured_queries)
    add(18)
    client.get(url)

    with django_assert_max_num_queries(queries_with_two):
        response = client.get(url)

    statement = response.context["statement"]
    assert len(statement.open) + len(statement.paid) == 20
