"""``manage.py caseflow_send_reminders``: today's payment reminders, on every site that sends them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from ...models import BillingSettings
from ...reminders import runs


class Command(BaseCommand):
    help = (
        "Send the payment reminders due today (Settings → Billing → Payment reminders). Each step goes at "
        "most once per invoice: safe to run several times a day, or from two machines at once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", type=int, help="Only this Wagtail site id (default: every site).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent, and send nothing."
        )

    def handle(self, *args, **options) -> None:
        site_id = options.get("site")
        if site_id is not None and not Site.objects.filter(pk=site_id).exists():
            raise CommandError(f"There is no site with id {site_id}.")
        if options["dry_run"]:
            self.list_plan(site_id)
            return
        failed = 0
        for report in runs.run(site_id):
            if not report.enabled:
                self.stdout.write(f"{site_label(report.site)}: reminders are off.")
                continue
            line = f"{site_label(report.site)}: {report.sent} sent"
            if report.failed:
                line += f", {report.failed} failed (tried again on the next run)"
            if report.passed_over:
                line += f", {report.passed_over} earlier steps passed over"
            self.stdout.write(f"{line}.")
            if options["verbosity"] > 1 and report.invoices:
                self.stdout.write(f"  {', '.join(report.invoices)}")
            failed += report.failed
        if failed:
            raise CommandError(f"{failed} reminders could not be sent; the next run tries them again.")

    def list_plan(self, site_id: int | None) -> None:
        sites = Site.objects.order_by("pk")
        if site_id is not None:
            sites = sites.filter(pk=site_id)
        for site in sites:
            billing = BillingSettings.for_site(site)
            if not billing.send_reminders:
                self.stdout.write(f"{site_label(site)}: reminders are off.")
                continue
            planned = runs.plan(site, billing)
            self.stdout.write(f"{site_label(site)}: {len(planned)} would be sent.")
            for item in planned:
                late = " (late)" if item.is_late else ""
                self.stdout.write(
                    f"  {item.invoice.invoice_number} to {item.to_email}: {item.step_label}{late}"
                )


def site_label(site: Site) -> str:
    return site.site_name or site.hostname
