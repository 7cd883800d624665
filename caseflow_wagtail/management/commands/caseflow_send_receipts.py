"""Retry receipts that could not be sent (the mail service was down). Safe to run from cron at any interval."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from caseflow_wagtail.mail.receipts import deliver_receipt, receipts_to_retry


class Command(BaseCommand):
    help = "Send the receipts that failed or were left pending; each is sent at most once."

    def handle(self, *args, **options) -> None:
        outcomes: dict[str, int] = {}
        for payment_id in receipts_to_retry().values_list("pk", flat=True):
            outcome = deliver_receipt(payment_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if not outcomes:
            self.stdout.write("No receipts waiting.")
            return
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"Receipts: {summary}.")
