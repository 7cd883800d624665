"""Time to render an invoice PDF, for a few sizes of invoice, and a receipt PDF.

Run from the repository root:

    python benchmarks/pdf_bench.py [--lines 1 200] [--repeat 5]

It builds a throw-away in-memory SQLite database with the test settings (never the database named by
DATABASE_URL), creates one invoice per size with one payment, and prints the pages and the median time of
``pdfs.documents.invoice_pdf`` (the same call the download views make), then of one receipt. WeasyPrint
needs Pango (scripts/test and scripts/demo install it). Not a test: the figures are for comparing
machines and changes.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
# Always a private in-memory database: the benchmark creates and discards its own data.
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

import django  # noqa: E402

django.setup()

from invoice_page_queries import build_site, make_invoice  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from caseflow_wagtail.models import Client as BillingClient  # noqa: E402
from caseflow_wagtail.models import InvoicePage  # noqa: E402
from caseflow_wagtail.pdfs.documents import invoice_pdf, receipt_pdf  # noqa: E402


def timed(render, repeat: int) -> tuple[bytes, float]:
    timings = []
    content = b""
    for _ in range(repeat):
        started = time.perf_counter()
        content = render().content
        timings.append(time.perf_counter() - started)
    return content, statistics.median(timings)


def fresh(invoice: InvoicePage) -> InvoicePage:
    # As the download view loads it: lines, payments and adjustments prefetched.
    return (
        InvoicePage.objects.select_related("client")
        .prefetch_related("lines", "payments", "adjustments")
        .get(pk=invoice.pk)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1, 200])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    # invoice.css has screen-only properties WeasyPrint reports on every render.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    folder = build_site()
    client = BillingClient.objects.create(name="Benchmark Client")
    # Warm WeasyPrint (fonts, Pango) and the template cache before measuring.
    invoice_pdf(fresh(make_invoice(folder, client, 0)))

    print(f"{'document':>18}  {'pages':>5}  {'KiB':>6}  {'median ms':>9}")
    invoice = None
    for count in options.lines:
        invoice = fresh(make_invoice(folder, client, count))
        content, seconds = timed(lambda invoice=invoice: invoice_pdf(invoice), options.repeat)
        pages = len(PdfReader(io.BytesIO(content)).pages)
        print(
            f"{f'invoice, {count} lines':>18}  {pages:>5}  {len(content) / 1024:>6.1f}  {seconds * 1000:>9.1f}"
        )
    if invoice is not None:
        payment = invoice.payments.all()[0]
        content, seconds = timed(lambda: receipt_pdf(payment, invoice), options.repeat)
        print(f"{'receipt':>18}  {1:>5}  {len(content) / 1024:>6.1f}  {seconds * 1000:>9.1f}")


if __name__ == "__main__":
    main()
