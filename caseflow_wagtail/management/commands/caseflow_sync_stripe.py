"""``manage.py caseflow_sync_stripe``: recover payments and refunds whose webhooks never arrived."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...reconciliation import recovery


class Command(BaseCommand):
    help = (
        "List Stripe's events since the last one processed (Stripe keeps 30 days), process the missed ones, "
        "and check the open Checkout Sessions of unpaid invoices. Safe to run as often as wanted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site", type=int, help="Only this Wagtail site id (default: every site with Stripe keys)."
        )

    def handle(self, *args, **options) -> None:
        reports = recovery.sync_sites(options.get("site"))
        if not reports:
            raise CommandError("No site has a Stripe secret key configured.")
        failed = False
        for report in reports:
            self.stdout.write(f"Site {report.site_id}:")
            for line in report.lines():
                self.stdout.write(f"  {line}")
            failed = failed or not report.ok
        if failed:
            raise CommandError(
                "Some events or sessions could not be processed; see Billing → Webhook health."
            )
