"""What a client's account page lists, read in the same few queries however many invoices the client has.

Only the invoices of the site the page is opened on (``invoices.sites.belongs_to``, the one rule of an
invoice's site), so one firm's site never shows another's; only published invoices that are not void; open
ones (something to pay) and those paid in the last twelve months, with their receipts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from ..invoices.sites import belongs_to
from ..models import Client, InvoicePage, InvoiceStatus, Payment


def a_year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, slots=True)
class Receipt:
    payment: Payment
    url: str


@dataclass(frozen=True, slots=True)
class AccountInvoice:
    """One row of the page: the invoice, its link and, once paid, when and its receipts."""

    invoice: InvoicePage
    status: InvoiceStatus
    url: str
    days_overdue: int
    # The last payment's date, or the issue date for an invoice settled by credits alone.
    settled_on: datetime.date
    receipts: tuple[Receipt, ...]

    @property
    def is_overdue(self) -> bool:
        return self.status == InvoiceStatus.OVERDUE


@dataclass(frozen=True, slots=True)
class CurrencyBalance:
    """What the client owes in one currency: the open invoices' balances, and the part already overdue.

    An overpaid invoice is not netted against another invoice's balance: that money is the firm's to
    refund or apply, not the page's to assume."""

    currency: str
    owed: Decimal
    overdue: Decimal
    invoices: int


@dataclass(frozen=True, slots=True)
class Statement:
    open: tuple[AccountInvoice, ...]
    paid: tuple[AccountInvoice, ...]
    balances: tuple[CurrencyBalance, ...]
    paid_since: datetime.date


def account_invoices(client: Client, site: Site, since: datetime.date):
    """The client's invoices under ``site``'s root that the page may list: one query, payments prefetched."""
    last_paid = Payment.objects.filter(invoice=OuterRef("pk")).order_by("-received_on").values("received_on")
    return (
        InvoicePage.objects.live()
        .filter(path__startswith=site.root_page.path, client=client, voided_at__isnull=True)
        .annotate(settled_on=Coalesce(Subquery(last_paid[:1]), F("issue_date")))
        .filter(Q(balance__gt=0) | Q(settled_on__gte=since))
        .defer_streamfields()
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("received_on", "created_at", "pk"))
        )
        .order_by("due_date", "invoice_number", "pk")
    )


def _row(invoice: InvoicePage, today: datetime.date) -> AccountInvoice:
    token = invoice.public_token
    receipts = tuple(
        Receipt(payment, reverse("caseflow_wagtail:invoice_receipt_pdf", args=(token, payment.pk)))
        for payment in invoice.payments.all()
    )
    return AccountInvoice(
        invoice=invoice,
        status=invoice.status,
        url=reverse("caseflow_wagtail:invoice", kwargs={"token": token}),
        days_overdue=max((today - invoice.due_date).days, 0),
        settled_on=invoice.settled_on,  # the annotation of account_invoices
        receipts=receipts,
    )


def balances_of(rows: tuple[AccountInvoice, ...]) -> tuple[CurrencyBalance, ...]:
    """Per currency, in code order; summed here as Decimals (SQLite's SUM would add floats)."""
    owed: dict[str, list[Decimal]] = {}
    overdue: dict[str, Decimal] = {}
    for row in rows:
        currency = row.invoice.currency
        owed.setdefault(currency, []).append(row.invoice.balance)
        if row.is_overdue:
            overdue[currency] = overdue.get(currency, Decimal(0)) + row.invoice.balance
    return tuple(
        CurrencyBalance(currency, sum(amounts, Decimal(0)), overdue.get(currency, Decimal(0)), len(amounts))
        for currency, amounts in sorted(owed.items())
    )


def account_statement(client: Client, site: Site, today: datetime.date | None = None) -> Statement:
    today = today or timezone.localdate()
    since = a_year_before(today)
    rows = [
        _row(invoice, today)
        for invoice in account_invoices(client, site, since)
        # Under the site's root, but a site whose root lies inside it owns the invoices of its own tree.
        if belongs_to(invoice, site)
    ]
    open_rows = tuple(row for row in rows if row.invoice.balance > 0)
    paid_rows = tuple(
        sorted(
            (row for row in rows if row.invoice.balance <= 0),
            key=lambda row: (row.settled_on, row.invoice.issue_date, row.invoice.pk),
            reverse=True,
        )
    )
    return Statement(open=open_rows, paid=paid_rows, balances=balances_of(open_rows), paid_since=since)
