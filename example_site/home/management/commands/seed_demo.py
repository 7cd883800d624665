"""Demo data for the Harbour & Finch LLP example site: an admin, clients, and an invoice in every status.

Safe to run again: everything is looked up by a natural key (username, client name, invoice number,
payment reference) before it is created, so a second run changes nothing and prints the same links.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
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
    InvoiceReminder,
    InvoiceSending,
    ReminderStatus,
    SendingStatus,
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

from home.demo_data import (
    CLIENTS,
    DEFAULT_PASSWORD,
    FIRM_DETAILS,
    FIRM_NAME,
    INVOICES,
    LOGO_TITLE,
    DemoInvoice,
)


class Command(BaseCommand):
    help = (
        "Create the demo firm's admin user, clients and invoices (one in every status and reminder state). "
        "Safe to re-run."
    )

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
            for invoice, spec in zip(invoices, INVOICES, strict=True):
                self.ensure_reminder_history(invoice, spec)
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
        billing.send_reminders = True  # with the default schedule: 3 days before, on the day, 7 and 14 after
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

    def ensure_reminder_history(self, invoice: InvoicePage, spec: DemoInvoice) -> None:
        """The emails a demo invoice had before today: when it was first sent and each reminder since."""
        if spec.emailed_days_ago is None:
            return
        now = timezone.now()
        sent_at = now - datetime.timedelta(days=spec.emailed_days_ago)
        sending, created = InvoiceSending.objects.get_or_create(
            request_key=f"seed-demo-history:{spec.number}",
            defaults={
                "invoice": invoice,
                "to_email": invoice.client.contact_email,
                "status": SendingStatus.SENT,
            },
        )
        if created:
            # requested_at is set on creation; the demo's history happened days ago.
            InvoiceSending.objects.filter(pk=sending.pk).update(
                requested_at=sent_at, sent_at=sent_at, status_changed_at=sent_at
            )
        for days, sent_days_ago in spec.reminders:
            sent = now - datetime.timedelta(days=sent_days_ago) if sent_days_ago is not None else None
            InvoiceReminder.objects.get_or_create(
                invoice=invoice,
                days=days,
                defaults={
                    "scheduled_for": invoice.due_date + datetime.timedelta(days=days),
                    "status": ReminderStatus.SENT if sent else ReminderStatus.SKIPPED,
                    "to_email": invoice.client.contact_email if sent else "",
                    "sent_at": sent,
                    "status_changed_at": sent or now,
                },
            )
        if spec.reminders_paused and not invoice.reminders_paused:
            # As the admin's Pause reminders does: on the row, outside revisions.
            InvoicePage.objects.filter(pk=invoice.pk).update(reminders_paused=True)

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
