"""A client's invoices across statuses, currencies and two sites, and the account link that lists them."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from wagtail.models import Page, Site

from caseflow_wagtail.models import Client, InvoiceIndexPage
from tests.admin.conftest import admin_client, editor, superuser  # noqa: F401  (fixtures)

# Paying from the account page: the emulator-connected site, the client's browser, signed deliveries.
from tests.paynow.conftest import client_browser, fresh_rate_limits, online  # noqa: F401  (fixtures)
from tests.paynow.test_concurrency import webhook  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def forget_site_root_paths():
    """Wagtail caches the sites' root paths outside the database: a site a test made and rolled back would
    stay in that cache, and make later tests' page URLs absolute."""
    yield
    Site.clear_site_root_paths_cache()


def account_path(client: Client) -> str:
    return f"/billing/account/{client.account_token}/"


@pytest.fixture
def other_client(db) -> Client:
    return Client.objects.create(name="Zebulon Quarrystone", contact_email="z@quarry.test")


@pytest.fixture
def other_site(home_page) -> Site:
    """A second firm's site in the same install, at beta.test, with its own invoices folder."""
    home = Page.get_first_root_node().add_child(instance=Page(title="Beta home", slug="beta-home"))
    home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
    return Site.objects.create(hostname="beta.test", port=80, root_page=home, site_name="Beta Legal")


@pytest.fixture
def live_site(live_server, home_page) -> Site:
    """The default site answering at the live server's address, so the links it builds reach it."""
    address = urlsplit(live_server.url)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = address.hostname, address.port
    site.save()
    return site


class Tables(HTMLParser):
    """The text of each table cell by the table's ``data-testid``: one list of cells per body row."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, list[str]] = {}
        self._table = ""
        self._in_body = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "table" and names.get("data-testid"):
            self._table = names["data-testid"]
            self.tables[self._table] = []
            self.links[self._table] = []
        elif self._table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.tables[self._table].append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []
        elif self._in_body and tag == "a":
            self.links[self._table].append(names.get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
