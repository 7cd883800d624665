"""What the Stripe webhook costs, end to end, against the least any webhook recording a payment must do.

Run from the repository root:

    python benchmarks/webhook_bench.py [--events 200] [--lines 1 200]

It starts the Stripe emulator in-process, builds a throw-away in-memory SQLite database with the test
settings (never the database named by DATABASE_URL), opens and pays real Checkout Sessions through the
plugin's Pay Now view and the emulator's hosted page, and then delivers each paid session's
``checkout.session.completed`` event, signed, through Django's test client:

* half of them to the plugin's webhook endpoint (verify, store the event, lock the invoice, record the
  payment through the ledger, audit log, receipt rendered and sent after commit by the immediate task
  backend to anymail's test backend);
* half to a bare view in this file doing only the irreducible work: verify the signature, insert the
  event, insert the payment, update the invoice's totals.

Deliveries alternate between the two, so both see the same machine state; the first few of each are a
warm-up and not timed. It prints the median and 90th percentile per delivery, the ratio of the medians,
the SQL queries of one delivery of each, the Stripe API calls the plugin made while handling its
deliveries (the goal is 0: everything needed is in the signed event), and the SQL queries of the public
invoice page with Pay Now shown, for invoices of 1 and 200 lines (the goal is the same number).
Not a test: the figures are for comparing machines and changes.
"""

from __future__ import annotations

import argparse
import datetime
import json
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

import requests  # noqa: E402
import stripe  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402
from wagtail.models import Locale, Page, Site  # noqa: E402

from caseflow_wagtail import money  # noqa: E402
from caseflow_wagtail.models import Client as BillingClient  # noqa: E402
from caseflow_wagtail.models import (  # noqa: E402
    InvoiceIndexPage,
    InvoiceLine,
    InvoicePage,
    Payment,
    PaymentGatewaySettings,
    PaymentMethod,
    PaymentSource,
    StripeEvent,
)
from caseflow_wagtail.payments.fulfilment import INVOICE_KEY  # noqa: E402
from caseflow_wagtail.testing import StripeEmulator  # noqa: E402

WEBHOOK_SECRET = "whsec_" + "bench" * 6
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
WARM_UP = 5

# -- the bare view: the irreducible work ----------------------------------------------------------------


@csrf_exempt
@require_POST
def bare_webhook(request: HttpRequest, site_pk: int) -> HttpResponse:
    payload = request.body.decode()
    stripe.WebhookSignature.verify_header(payload, request.headers["Stripe-Signature"], WEBHOOK_SECRET, 300)
    event = json.loads(payload)
    session = event["data"]["object"]
    currency = session["currency"].upper()
    amount = money.from_minor_units(session["amount_total"], currency)
    invoice_id = int(session["metadata"][INVOICE_KEY])
    with transaction.atomic():
        StripeEvent.objects.create(
            stripe_id=event["id"], type=event["type"], site_id=site_pk, payload=event, object_id=session["id"]
        )
        Payment.objects.create(
            invoice_id=invoice_id,
            amount=amount,
            currency=currency,
            method=PaymentMethod.CARD,
            source=PaymentSource.WEBHOOK,
            received_on=timezone.localdate(),
            stripe_payment_intent_id=session["payment_intent"],
            stripe_checkout_session_id=session["id"],
        )
        InvoicePage.objects.filter(pk=invoice_id).update(
            amount_paid=F("amount_paid") + amount, balance=F("balance") - amount
        )
    return JsonResponse({"received": True})


urlpatterns = [
    path("bare-webhook/<int:site_pk>/", bare_webhook),
    path("", include("tests.urls")),
]

# -- the site -------------------------------------------------------------------------------------------


def build_site(emulator: StripeEmulator) -> tuple[Site, InvoiceIndexPage, BillingClient]:
    call_command("migrate", verbosity=0, interactive=False)
    Locale.objects.get_or_create(language_code="en")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=Page(title="Home", slug="home"))
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    site.hostname, site.port = "testserver", 80
    site.save()
    gateway = PaymentGatewaySettings.for_site(site)
    gateway.online_payments_enabled = True
    gateway.allow_amount_edit = True
    gateway.stripe_publishable_key = emulator.publishable_key
    gateway.set_secret_key(emulator.secret_key)
    gateway.set_webhook_secret(WEBHOOK_SECRET, keep_previous=False)
    gateway.save()
    folder = site.root_page.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
    client = BillingClient.objects.create(
        name="Acme Holdings", contact_name="Ada Lovelace", contact_email="ada@acme.test"
    )
    return site, folder, client


def make_invoice(folder: InvoiceIndexPage, client: BillingClient, lines: int, price: str) -> InvoicePage:
    today = datetime.date.today()
    invoice = InvoicePage(
        invoice_number=f"BENCH-{lines}-{price}",
        client=client,
        issue_date=today,
        due_date=today + datetime.timedelta(days=30),
        currency="USD",
        live=False,
    )
    for n in range(lines):
        invoice.lines.add(
            InvoiceLine(description=f"Attendance {n}", quantity=Decimal(1), unit_price=Decimal(price))
        )
    folder.add_child(instance=invoice)
    invoice.save_revision().publish()
    return InvoicePage.objects.get(pk=invoice.pk)


def paid_session_events(browser: Client, emulator: StripeEmulator, invoice: InvoicePage, count: int) -> list:
    """Open ``count`` sessions through Pay Now (distinct amounts, so none is reused), pay each on the hosted
    page, and return the emulator's checkout.session.completed events, oldest first."""
    browser.get(invoice.url)
    token = browser.cookies["csrftoken"].value
    for i in range(count):
        amount = Decimal("10.00") + Decimal(i) / 100
        answer = browser.post(
            reverse("caseflow_wagtail:pay", kwargs={"token": invoice.public_token}),
            {"csrfmiddlewaretoken": token, "amount": str(amount)},
        )
        checkout_url = answer["Location"]
        if not checkout_url.startswith(emulator.base_url):
            raise SystemExit(f"Pay Now did not open a session: {checkout_url}")
        paid = requests.post(
            checkout_url,
            data={"cardnumber": "4242424242424242", "exp": "12 / 34", "cvc": "123", "name": "Ada"},
            allow_redirects=False,
            timeout=10,
        )
        if paid.status_code != 303:
            raise SystemExit(f"The hosted page did not accept the card: {paid.status_code}")
    events = emulator.stripe_client().v1.events.list(
        params={"type": "checkout.session.completed", "limit": 100}
    )
    found = [event.to_dict() for event in events.auto_paging_iter()]
    return sorted(found, key=lambda event: event["created"])[-count:]


def deliver(browser: Client, url: str, event: dict) -> tuple[float, int]:
    body = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(
        body, WEBHOOK_SECRET, timestamp=int(time.time())
    )
    started = time.perf_counter()
    response = browser.post(url, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, response.status_code


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"median {statistics.median(times) * 1000:6.2f} ms   p90 {p90 * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200, help="deliveries to each of the two views")
    parser.add_argument("--lines", type=int, nargs="+", default=[1, 200], help="invoice sizes for the page")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one delivery of each")
    options = parser.parse_args()

    with StripeEmulator(allow_local_webhooks=True) as emulator:
        settings.ROOT_URLCONF = __name__
        settings.ALLOWED_HOSTS = ["*"]
        settings.CASEFLOW_WAGTAIL = {
            **settings.CASEFLOW_WAGTAIL,
            "STRIPE_API_BASE": emulator.base_url,
            # One client address opens every session here; card-testing limits are not what is measured.
            "PAY_LIMIT_PER_ADDRESS": (0, 60),
            "PAY_LIMIT_PER_INVOICE": (0, 600),
        }
        site, folder, client = build_site(emulator)
        browser = Client()

        total = options.events + WARM_UP
        plugin_url = reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})
        variants = {
            # The default when TASKS is unset: the receipt is rendered and sent inside the webhook's request.
            "plugin, receipt sent in the request": (plugin_url, IMMEDIATE),
            # A site with a task queue: the webhook only enqueues the receipt (a worker sends it).
            "plugin, receipt queued": (plugin_url, QUEUED),
            "bare view": (f"/bare-webhook/{site.pk}/", IMMEDIATE),
        }
        invoice = make_invoice(folder, client, 1, f"{total * len(variants) * 20}.00")
        print(f"Opening and paying {total * len(variants)} Checkout Sessions on the emulator…", flush=True)
        events = iter(paid_session_events(browser, emulator, invoice, total * len(variants)))

        emulator.clear_requests()
        mail.outbox = []
        timed: dict[str, list[float]] = {name: [] for name in variants}
        queries: dict[str, int] = {}
        for i in range(total):
            for name, (url, tasks) in variants.items():
                event = next(events)
                with override_settings(TASKS=tasks):
                    if i == WARM_UP:
                        with CaptureQueriesContext(connection) as captured:
                            elapsed, _status = deliver(browser, url, event)
                        queries[name] = len(captured)
                        if options.show_queries:
                            print(f"\n{name}:")
                            for query in captured.captured_queries:
                                print("   ", query["sql"][:160])
                    else:
                        elapsed, _status = deliver(browser, url, event)
                if i >= WARM_UP:
                    timed[name].append(elapsed)
        stripe_calls = len(emulator.requests())
        payments = Payment.objects.count()
        if payments != total * len(variants):
            raise SystemExit(f"Expected {total * len(variants)} payments; found {payments}.")

        bare = statistics.median(timed["bare view"])
        print(
            f"\nWebhook, checkout.session.completed, {options.events} timed deliveries each (Django test client):"
        )
        for name, times in timed.items():
            ratio = statistics.median(times) / bare
            print(f"  {name:36s} {summary(times)}   {queries[name]:2d} SQL queries   {ratio:5.2f}x bare")
        print(f"  receipts sent in the request: {len(mail.outbox)} (one per delivery of that variant)")
        plugin_deliveries = total * (len(variants) - 1)
        print(
            f"  Stripe API calls during the plugin's {plugin_deliveries} deliveries: {stripe_calls} "
            f"({stripe_calls / plugin_deliveries:.2f} per webhook; goal 0)"
        )

        print("\nPublic invoice page with Pay Now shown:")
        counts = {}
        for lines in options.lines:
            sized = make_invoice(folder, client, lines, "120.00")
            browser.get(sized.url)  # warm caches (site root paths, settings) as on a running site
            with CaptureQueriesContext(connection) as captured:
                response = browser.get(sized.url)
            if response.status_code != 200 or b"Pay Now" not in response.content:
                raise SystemExit(f"The {lines}-line invoice page did not offer Pay Now.")
            counts[lines] = len(captured)
            print(f"  {lines:4d} lines: {len(captured)} SQL queries")
        print(f"  same for every size: {'yes' if len(set(counts.values())) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
