"""The example site as ``scripts/demo`` runs it: migrate, ``seed_demo`` (twice), and serve.

The example site has its own settings and URLconf, so it runs in subprocesses with a database of its own:
a temporary SQLite file, or a fresh PostgreSQL database when the suite runs with a postgres DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_install import clean_env, free_port, http_get, run, serve

pytestmark = pytest.mark.install

EXAMPLE_SITE = Path(__file__).resolve().parent.parent / "example_site"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/billing/invoice/[\w-]+/")

# What the site holds after seeding, read back through the ORM in the site's own process.
INSPECT = """
import json
from django.contrib.auth import get_user_model
from wagtail.images.models import Image
from caseflow_wagtail.models import Adjustment, BillingSettings, Client, InvoiceIndexPage, InvoicePage, Payment
from caseflow_wagtail.invoices.panels import reminder_outlook
from caseflow_wagtail.reminders import runs
from wagtail.models import Site
site = Site.objects.get(is_default_site=True)
billing = BillingSettings.for_site(site)
users = get_user_model().objects.filter(username="admin")
print(json.dumps({
    "admins": users.count(),
    "admin_password_ok": users.first().check_password("harbour-finch-demo"),
    "superuser": users.first().is_superuser,
    "clients": Client.objects.count(),
    "folders": InvoiceIndexPage.objects.count(),
    "payments": Payment.objects.count(),
    "adjustments": Adjustment.objects.count(),
    "images": Image.objects.count(),
    "firm": [billing.firm_address, billing.firm_phone, billing.firm_tax_number, billing.firm_logo_id is not None],
    "invoices": {
        invoice.invoice_number: {
            "status": str(invoice.status.value),
            "currency": invoice.currency,
            "balance": str(invoice.balance),
            "token": invoice.public_token,
            "live": invoice.live,
            "reminder_outlook": reminder_outlook(
                invoice, list(invoice.sendings.all()), list(invoice.reminders.all())
            ),
        }
        for invoice in InvoicePage.objects.order_by("invoice_number")
    },
    "reminders_on": billing.send_reminders,
    "reminders_due_today": [item.invoice.invoice_number for item in runs.plan(site, billing)],
}))
"""


@dataclass(frozen=True)
class Seeded:
    env: dict[str, str]
    base: str
    outputs: list[str]
    state: dict


def _database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite in tmp_path, or a throwaway database on the suite's PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'example.sqlite3'}"
        return
    import psycopg

    server = url.rsplit("/", 1)[0]
    name = f"caseflow_example_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp_path = tmp_path_factory.mktemp("example_site")
    for database_url in _database_url(tmp_path):
        env = clean_env(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="harbour_finch.settings.dev",
            HARBOUR_FINCH_MEDIA_ROOT=str(tmp_path / "media"),
        )
        base = f"http://127.0.0.1:{free_port()}"
        manage = [sys.executable, "manage.py"]
        run([*manage, "migrate", "--noinput", "-v", "0"], cwd=EXAMPLE_SITE, env=env)
        outputs = [
            run([*manage, "seed_demo", "--base-url", base], cwd=EXAMPLE_SITE, env=env).stdout
            for _ in range(2)
        ]
        state = json.loads(
            run([*manage, "shell", "-c", INSPECT], cwd=EXAMPLE_SITE, env=env).stdout.splitlines()[-1]
        )
        yield Seeded(env=env, base=base, outputs=outputs, state=state)


def test_seed_demo_is_idempotent(seeded: Seeded) -> None:
    first, second = seeded.outputs
    assert first == second, "a second run printed different invoices or links"
    assert seeded.state["admins"] == 1 and seeded.state["superuser"] and seeded.state["admin_password_ok"]
    assert seeded.state["folders"] == 1
    assert seeded.state["clients"] == 6
    assert len(seeded.state["invoices"]) == 12
    # Two payments recorded once each (partially paid GBP and KWD) plus the paid one, and one credit.
    assert seeded.state["payments"] == 3
    assert seeded.state["adjustments"] == 1
    # The firm's details, and one logo however often the demo is seeded.
    address, phone, tax_number, has_logo = seeded.state["firm"]
    assert "Portsmouth" in address and phone and tax_number and has_logo
    assert seeded.state["images"] == 1


def test_every_status_and_currency_class_is_seeded(seeded: Seeded) -> None:
    invoices = seeded.state["invoices"]
    statuses = {invoice["status"] for invoice in invoices.values()}
    assert statuses == {"draft", "unpaid", "partially_paid", "paid", "overdue", "void"}
    currencies = {invoice["currency"] for invoice in invoices.values()}
    assert {"JPY", "KWD"} <= currencies
    assert invoices["HF-0003"]["balance"] == "1880.000"  # 2,880.00 less a 1,000.00 transfer
    assert invoices["HF-0008"]["balance"] == "654.750"  # KWD keeps three decimals
    assert invoices["HF-0004"]["balance"] == "0.000"


def test_each_reminder_state_is_seeded(seeded: Seeded) -> None:
    outlook = {number: data["reminder_outlook"] for number, data in seeded.state["invoices"].items()}
    assert seeded.state["reminders_on"]
    assert seeded.state["reminders_due_today"] == ["HF-0009"]  # Billing → Reminders lists it
    assert outlook["HF-0009"].startswith("Next reminder: 3 days before the due date")
    assert outlook["HF-0010"].startswith("Next reminder: 14 days after the due date")
    assert outlook["HF-0005"] == "Every reminder of the schedule has been sent or passed."
    assert outlook["HF-0011"] == "Reminders are paused for this invoice."
    assert outlook["HF-0012"] == "This client takes no reminders (Billing → Clients)."
    assert outlook["HF-0004"] == "No reminders: nothing is due."
    assert outlook["HF-0006"] == "No reminders: the invoice is void."
    assert outlook["HF-0007"] == "Reminders start once the invoice has been sent by email."


def test_printed_links_work_and_only_they_do(seeded: Seeded) -> None:
    output = seeded.outputs[0]
    assert f"{seeded.base}/admin/" in output and "password: harbour-finch-demo" in output
    links = LINK.findall(output)
    live = {number: data for number, data in seeded.state["invoices"].items() if data["live"]}
    assert len(links) == len(live) == 11  # every published invoice; the draft has no public link
    draft_token = next(data["token"] for data in seeded.state["invoices"].values() if not data["live"])

    port = int(seeded.base.rsplit(":", 1)[1])
    with serve(sys.executable, EXAMPLE_SITE, seeded.env, port=port) as base:
        assert base == seeded.base
        for number, data in live.items():
            link = next(link for link in links if data["token"] in link)
            page = http_get(link)
            assert page.status == 200, (number, page.body[:1000])
            assert number in page.body
            assert "VAT number: GB 123 4567 89" in page.body and 'alt="Harbour &amp; Finch LLP"' in page.body
        logo = re.search(r'<img[^>]* src="(/media/images/[^"]+)"', page.body)
        assert logo is not None
        with urllib.request.urlopen(base + logo.group(1), timeout=30) as image:
            assert image.headers["Content-Type"] == "image/png" and image.read(8) == b"\x89PNG\r\n\x1a\n"
        assert http_get(f"{base}/billing/invoice/{draft_token}/").status == 404
        assert http_get(f"{base}/invoices/hf-0002/").status == 404

        home = http_get(base + "/")
        assert home.status == 200 and "Harbour &amp; Finch LLP" in home.body
        assert http_get(base + "/admin/login/").status == 200
        sitemap = http_get(base + "/sitemap.xml")
        assert sitemap.status == 200 and f"<loc>{base}/</loc>" in sitemap.body
        assert "invoice" not in sitemap.body.lower()
        search = http_get(base + "/search/?query=Harbour")
        assert search.status == 200 and 'href="/"' in search.body.split("</form>")[-1]
        assert "HF-" not in http_get(base + "/search/?query=Invoice").body.split("</form>")[-1]
