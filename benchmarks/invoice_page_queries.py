"""SQL queries and time to render an invoice's public page, for a few sizes of invoice.

Run from the repository root:

    python benchmarks/invoice_page_queries.py [--lines 1 200 1000] [--repeat 5]

It builds a throw-away in-memory SQLite database with the test settings (never the database named by
DATABASE_URL), creates one invoice per size, and prints the queries each page makes and its median render
time. The query count should not grow with the number of lines; tests/test_invoice_page.py asserts that.
Not a test: the figures are for comparing machines and changes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Always a private in-memory database: the benchmark creates and discards its own data.
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Locale, Page, Site  # noqa: E402

from caseflow_wagtail import ledger  # noqa: E402
from caseflow_wagtail.models import Client as BillingClient  # noqa: E402
from caseflow_wagtail.models import InvoiceIndexPage, InvoiceLine, InvoicePage, PaymentMethod  # noqa: E402


def build_site() -> InvoiceIndexPage:
    call_command("migrate", verbosity=0, interactive=False)
    Locale.objects.get_or_create(language_code="en")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=Page(title="Home", slug="home"))
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return site.root_page.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))


def make_invoice(folder: InvoiceIndexPage, client: BillingClient, line_count: int) -> InvoicePage:
    today = datetime.date.today()
    invoice = InvoicePage(
        invoice_number=f"BENCH-{line_count}",
        client=client,
        issue_date=today,
        due_date=today + datetime.timedelta(days=30),
        currency="USD",
        live=False,
    )
    for n in range(line_count):
        invoice.lines.add(
            InvoiceLine(
                description=f"Attendance {n}",
                quantity=Decimal("1.5"),
                unit_price=Decimal("120.00"),
                tax_rate=Decimal(20) if n % 2 else None,
            )
        )
    folder.add_child(instance=invoice)
    invoice.save_revision().publish()
    ledger.record_payment(invoice, amount=Decimal("10.00"), currency="USD", method=PaymentMethod.CHEQUE)
    return InvoicePage.objects.get(pk=invoice.pk)


def measure(http: Client, invoice: InvoicePage, repeat: int) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(invoice.url)
    assert response.status_code == 200, response.status_code
    # Counted now: every request starts by clearing the connection's query log.
    queries = len(captured)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        http.get(invoice.url)
        timings.append(time.perf_counter() - started)
    return queries, statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1, 200])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    folder = build_site()
    client = BillingClient.objects.create(name="Benchmark Client")
    http = Client()
    # Warm the per-process caches (content types, site root paths) before measuring.
    http.get(make_invoice(folder, client, 0).url)

    print(f"{'lines':>6}  {'queries':>7}  {'median ms':>9}")
    for count in options.lines:
        queries, seconds = measure(http, make_invoice(folder, client, count), options.repeat)
        print(f"{count:>6}  {queries:>7}  {seconds * 1000:>9.1f}")


if __name__ == "__main__":
    main()
