from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Locale, Page, Site

from caseflow_wagtail.models import Client, InvoiceIndexPage, InvoiceLine, InvoicePage
from caseflow_wagtail.testing import StripeEmulator
from caseflow_wagtail.testing.browser import CHROMIUM, chromium_browser

# The mail service that can be down (``postmark``), for every test that needs it.
pytest_plugins = ["tests.mail_service"]


@pytest.fixture(autouse=True)
def anymail_test_backend(settings):
    # Django's test runner swaps EMAIL_BACKEND for locmem; receipts must go through anymail's backend.
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def home_page(db) -> Page:
    """The default site's home page; recreated when a transactional test flushed Wagtail's initial data."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Test Firm"
    )
    return home


@pytest.fixture
def invoice_index(home_page) -> InvoiceIndexPage:
    existing = InvoiceIndexPage.objects.child_of(home_page).first()
    if existing is not None:
        return existing
    return home_page.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))


@pytest.fixture
def billing_client(db) -> Client:
    return Client.objects.create(
        name="Acme Holdings", contact_name="Ada Lovelace", contact_email="ada@acme.test"
    )


InvoiceFactory = Callable[..., InvoicePage]


@pytest.fixture
def make_invoice(invoice_index, billing_client) -> InvoiceFactory:
    counter = iter(range(1, 10_000))

    def make(
        lines: list[tuple[str, str, str, str | None]] | None = None,
        currency: str = "USD",
        publish: bool = True,
        number: str | None = None,
        due_in_days: int = 30,
        client: Client | None = None,
    ) -> InvoicePage:
        today = datetime.date.today()
        invoice = InvoicePage(
            invoice_number=number or f"T-{next(counter):04d}",
            client=client or billing_client,
            issue_date=today,
            due_date=today + datetime.timedelta(days=due_in_days),
            currency=currency,
            live=False,
        )
        for description, quantity, price, tax in lines or [("Legal services", "1", "100.00", None)]:
            invoice.lines.add(
                InvoiceLine(
                    description=description,
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    tax_rate=Decimal(tax) if tax is not None else None,
                )
            )
        invoice_index.add_child(instance=invoice)
        if publish:
            invoice.save_revision().publish()
            invoice.refresh_from_db()
        return invoice

    return make


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (browser downloads are not possible on these machines)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/test installs it with apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test installs it when run as root)")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls made by tests between
    # browser steps are ordinary blocking calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def emulator():
    # Deliveries go to the live server on 127.0.0.1, which Stripe itself would refuse as an endpoint.
    # Asynchronous capture as in Stripe; a test settles balance transactions when it wants the fee.
    with StripeEmulator(allow_local_webhooks=True, settle_delay=None) as running:
        yield running


@pytest.fixture
def stripe_settings(settings, emulator):
    """Point the plugin's Stripe client at the emulator (test keys only, as in a host site's tests)."""
    settings.CASEFLOW_WAGTAIL = {
        **getattr(settings, "CASEFLOW_WAGTAIL", {}),
        "STRIPE_API_BASE": emulator.base_url,
    }
    return settings
