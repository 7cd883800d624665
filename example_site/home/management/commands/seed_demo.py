"""Demo data for the Harbour & Finch LLP example site: an admin, clients, and an invoice in every status.

Safe to run again: everything is looked up by a natural key (username, client name, invoice number,
payment reference) before it is created, so a second run changes nothing and prints the same links.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from caseflow_wagtail import ledger
from caseflow_wagtail.models import (
    AdjustmentKind,
    BillingSettings,
    Client,
    InvoiceIndexPage,
    InvoiceLine,
    InvoicePage,
    PaymentMethod,
)
from caseflow_wagtail.money import format_money
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.search import index

FIRM_NAME = "Harbour & Finch LLP"
FIRM_DETAILS = {
    "firm_address": "3 Gunwharf Quays\nPortsmouth PO1 3TZ\nUnited Kingdom",
    "firm_phone": "+44 23 9200 0140",
    "firm_tax_number_label": "VAT number",
    "firm_tax_number": "GB 123 4567 89",
}
LOGO_TITLE = "Harbour & Finch logo"
DEFAULT_PASSWORD = "harbour-finch-demo"

CLIENTS: dict[str, dict[str, str]] = {
    "Marlow Shipping Ltd": {
        "contact_name": "Eleanor Marlow",
        "contact_email": "eleanor@marlow-shipping.example",
        "phone": "+44 23 9200 1100",
        "billing_address": "Dock 4, Gunwharf Road\nPortsmouth PO1 3AA\nUnited Kingdom",
    },
    "Pemberton Estates": {
        "contact_name": "James Pemberton",
        "contact_email": "james@pemberton-estates.example",
        "phone": "+44 1962 555 010",
        "billing_address": "The Old Rectory\nWinchester SO23 9AB\nUnited Kingdom",
    },
    "Okafor Family Trust": {
        "contact_name": "Adaeze Okafor",
        "contact_email": "trustees@okafor-trust.example",
        "billing_address": "41 Marine Parade\nSouthsea PO4 0NS\nUnited Kingdom",
    },
    "Sakura Robotics K.K.": {
        "contact_name": "Haruto Sato",
        "contact_email": "legal@sakura-robotics.example",
        "phone": "+81 3 5555 0134",
        "billing_address": "2-7-1 Marunouchi, Chiyoda-ku\nTokyo 100-0005\nJapan",
    },
    "Gulf Pearl Logistics W.L.L.": {
        "contact_name": "Mariam Al-Rashid",
        "contact_email": "finance@gulfpearl.example",
        "phone": "+965 2200 5500",
        "billing_address": "Shuwaikh Port, Block 3\nKuwait City\nKuwait",
    },
}


@dataclass(frozen=True)
class DemoInvoice:
    number: str
    client: str
    currency: str
    lines: list[tuple[str, str, str, str | None]]  # description, quantity, unit price, tax rate %
    issued_days_ago: int = 0
    due_in_days: int = 30  # from today, so the statuses hold whenever the demo is seeded
    publish: bool = True
    payments: list[tuple[str, str, str]] = field(default_factory=list)  # amount, method, reference
    credit: tuple[str, str] | None = None  # amount, reason
    void_reason: str = ""
    notes: str = "Payment is due within 30 days. Thank you for instructing Harbour & Finch LLP."


# One invoice per status, plus a zero-decimal (JPY) and a three-decimal (KWD) currency.
INVOICES: list[DemoInvoice] = [
    DemoInvoice(
        "HF-0001",
        "Marlow Shipping Ltd",
        "GBP",
        [("Charterparty review and mark-up", "6", "320.00", "20")],
        publish=False,
    ),
    DemoInvoice(
        "HF-0002",
        "Pemberton Estates",
        "GBP",
        [
            ("Lease renewal: drafting and negotiation", "1", "1850.00", "20"),
            ("Land Registry fee", "1", "150.00", None),
        ],
    ),
    DemoInvoice(
        "HF-0003",
        "Okafor Family Trust",
        "GBP",
        [("Trust deed amendment", "1", "2400.00", "20")],
        issued_days_ago=10,
        payments=[("1000.00", PaymentMethod.BANK_TRANSFER, "BACS 77120")],
    ),
    DemoInvoice(
        "HF-0004",
        "Marlow Shipping Ltd",
        "GBP",
        [("Demurrage claim: advice", "4", "320.00", "20")],
        issued_days_ago=20,
        payments=[("1536.00", PaymentMethod.CHEQUE, "Cheque 004512")],
    ),
    DemoInvoice(
        "HF-0005",
        "Pemberton Estates",
        "GBP",
        [("Boundary dispute: correspondence", "3", "280.00", None)],
        issued_days_ago=60,
        due_in_days=-30,
        credit=("40.00", "Goodwill discount agreed by the partner"),
    ),
    DemoInvoice(
        "HF-0006",
        "Okafor Family Trust",
        "GBP",
        [("Probate application", "1", "950.00", "20")],
        issued_days_ago=5,
        void_reason="Issued in error: the work is billed to the estate instead.",
    ),
    DemoInvoice(
        "HF-0007",
        "Sakura Robotics K.K.",
        "JPY",
        [
            ("Distribution agreement review", "1", "450000", None),
            ("Translation coordination", "3", "25000", None),
        ],
    ),
    DemoInvoice(
        "HF-0008",
        "Gulf Pearl Logistics W.L.L.",
        "KWD",
        [("Arbitration preparation", "10", "95.500", None)],
        issued_days_ago=7,
        payments=[("300.250", PaymentMethod.BANK_TRANSFER, "KNET 55-0921")],
    ),
]


class Command(BaseCommand):
    help = "Create the demo firm's admin user, clients and invoices (one in every status). Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the site is served; invoice links are built from it (default %(default)s).",
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD", DEFAULT_PASSWORD),
            help="Password for the 'admin' user (default: $DEMO_ADMIN_PASSWORD or a fixed demo password).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (it creates a known admin password).",
        )

    def handle(self, *args: Any, base_url: str, password: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates an admin with a known password; use --force to run with DEBUG off."
            )
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(f"--base-url must look like http://127.0.0.1:8000, not {base_url!r}.")
        port = parts.port or (443 if parts.scheme == "https" else 80)

        # Recording the demo payments sends receipts; with the console email backend they would bury the
        # links below, so they are held back unless asked for with -v 2.
        mail_output = io.StringIO()
        hold_mail = options["verbosity"] < 2
        holding = contextlib.redirect_stdout(mail_output) if hold_mail else contextlib.nullcontext()
        with holding, transaction.atomic():
            site = self.configure_site(parts.hostname, port)
            self.ensure_admin(password)
            folder = self.ensure_invoice_folder(site)
            clients = {name: self.ensure_client(name, details) for name, details in CLIENTS.items()}
            invoices = [self.ensure_invoice(folder, clients[spec.client], spec) for spec in INVOICES]
            self.send_one(invoices)
        held = sum(line.startswith("Subject: ") for line in mail_output.getvalue().splitlines())
        if held:
            self.stderr.write(
                f"({held} email(s) sent while seeding went to the console backend; -v 2 shows them.)"
            )

        self.report(base_url.rstrip("/"), password, invoices)

    # -- the pieces ------------------------------------------------------------------------------------

    def configure_site(self, hostname: str, port: int) -> Site:
        # Invoice links are absolute URLs built from the Site, so it must name the address being served.
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("No default Wagtail site: run `manage.py migrate` first.")
        site.hostname, site.port, site.site_name = hostname, port, FIRM_NAME
        site.save()
        billing = BillingSettings.for_site(site)
        billing.firm_name = FIRM_NAME
        billing.invoice_number_prefix = "HF-"
        billing.billing_email = "accounts@harbourfinch.example"
        for name, value in FIRM_DETAILS.items():
            setattr(billing, name, value)
        billing.firm_logo = self.ensure_logo()
        billing.save()
        return site

    def ensure_logo(self) -> Image:
        logo = Image.objects.filter(title=LOGO_TITLE).first()
        if logo is not None:
            return logo
        # Drawn here so the demo ships no binary: a navy band with a gold bar, the firm's colours.
        drawing = PILImage.new("RGB", (480, 120), (16, 42, 67))
        ImageDraw.Draw(drawing).rectangle((24, 48, 456, 72), fill=(201, 162, 39))
        data = io.BytesIO()
        drawing.save(data, "PNG")
        return Image.objects.create(title=LOGO_TITLE, file=ImageFile(data, name="harbour-finch-logo.png"))

    def ensure_admin(self, password: str) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username="admin").first()
        if user is None:
            user = user_model.objects.create_superuser("admin", "admin@harbourfinch.example", password)
        elif not user.check_password(password):
            # Keep the printed password true on every run, even if someone changed it in between.
            user.set_password(password)
            user.save(update_fields=["password"])

    def send_one(self, invoices: list) -> None:
        """The first invoice that can be emailed shows a sending on its Payments tab (once, however often
        the demo is seeded: the request key is fixed)."""
        from caseflow_wagtail.mail import sending

        admin = get_user_model().objects.get(username="admin")
        for invoice in invoices:
            if not sending.refusal(invoice):
                key = f"seed-demo:{invoice.pk}"
                sending.request_sending(invoice, user=admin, cc_firm=False, request_key=key)
                return

    def ensure_invoice_folder(self, site: Site) -> InvoiceIndexPage:
        home: Page = site.root_page.specific
        # Pages created by a migration are not in the search index yet; the demo's search should find them.
        index.insert_or_update_object(home)
        folder = InvoiceIndexPage.objects.child_of(home).first()
        if folder is None:
            folder = home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
        return folder

    def ensure_client(self, name: str, details: dict[str, str]) -> Client:
        client, _created = Client.objects.get_or_create(name=name, defaults=details)
        return client

    def ensure_invoice(self, folder: InvoiceIndexPage, client: Client, spec: DemoInvoice) -> InvoicePage:
        invoice = InvoicePage.objects.filter(invoice_number=spec.number).first()
        if invoice is None:
            today = timezone.localdate()
            issue_date = today - datetime.timedelta(days=spec.issued_days_ago)
            invoice = InvoicePage(
                invoice_number=spec.number,
                client=client,
                issue_date=issue_date,
                due_date=today + datetime.timedelta(days=spec.due_in_days),
                currency=spec.currency,
                notes=spec.notes,
                live=False,
            )
            for description, quantity, price, tax in spec.lines:
                invoice.lines.add(
                    InvoiceLine(
                        description=description,
                        quantity=Decimal(quantity),
                        unit_price=Decimal(price),
                        tax_rate=Decimal(tax) if tax is not None else None,
                    )
                )
            folder.add_child(instance=invoice)
            revision = invoice.save_revision()
            if spec.publish:
                revision.publish()
            invoice.refresh_from_db()

        for amount, method, reference in spec.payments:
            if not invoice.payments.filter(reference=reference).exists():
                ledger.record_payment(
                    invoice,
                    amount=Decimal(amount),
                    currency=spec.currency,
                    method=method,
                    reference=reference,
                    note="Recorded by the demo data command.",
                )
        if spec.credit and not invoice.adjustments.filter(reason=spec.credit[1]).exists():
            ledger.record_adjustment(
                invoice,
                kind=AdjustmentKind.CREDIT,
                amount=Decimal(spec.credit[0]),
                currency=spec.currency,
                reason=spec.credit[1],
            )
        if spec.void_reason and not invoice.voided_at:
            # As the admin's Void action does: the two fields live on the row, outside revisions.
            InvoicePage.objects.filter(pk=invoice.pk).update(
                voided_at=timezone.now(), void_reason=spec.void_reason
            )
        invoice.refresh_from_db()
        return invoice

    def report(self, base_url: str, password: str, invoices: list[InvoicePage]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"{FIRM_NAME} demo data is ready."))
        write("")
        write(f"  Admin:  {base_url}/admin/   user: admin   password: {password}")
        write("")
        write("  Invoices (each link is the private link a client receives):")
        for invoice in invoices:
            status = str(invoice.status.label)
            amount = format_money(invoice.total, invoice.currency, locale="en_GB")
            balance = (
                "-" if invoice.voided_at else format_money(invoice.balance, invoice.currency, locale="en_GB")
            )
            if invoice.live:
                where = invoice.full_url
            else:
                where = f"(draft, not public) {base_url}/admin/pages/{invoice.pk}/edit/"
            write(
                f"    {invoice.invoice_number}  {status:<15} {invoice.client.name:<28} "
                f"total {amount:>14}  due {balance:>14}  {where}"
            )
