"""Re-encrypt stored Stripe secrets with the newest key in CASEFLOW_WAGTAIL["ENCRYPTION_KEYS"]."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from caseflow_wagtail import crypto
from caseflow_wagtail.models import PaymentGatewaySettings

ENCRYPTED_FIELDS = (
    "stripe_secret_key_encrypted",
    "webhook_secret_encrypted",
    "webhook_previous_secret_encrypted",
)


class Command(BaseCommand):
    help = "Re-encrypt every stored Stripe secret with the first key of ENCRYPTION_KEYS (key rotation)."

    def handle(self, *args, **options) -> None:
        count = 0
        with transaction.atomic():
            for row in PaymentGatewaySettings.objects.select_for_update():
                for field in ENCRYPTED_FIELDS:
                    setattr(row, field, crypto.rotate(getattr(row, field)))
                row.save(update_fields=list(ENCRYPTED_FIELDS))
                count += 1
        self.stdout.write(
            f"Re-encrypted the Stripe secrets of {count} site(s). The old key can now be removed."
        )
