"""A site's reminder schedule starts as the default one (3 days before, on the day, 7 and 14 days after)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..mail.defaults import DEFAULT_REMINDER_DAYS, reminder_defaults
from ..models import BillingSettings, ReminderStep


def default_steps(billing: BillingSettings) -> list[ReminderStep]:
    return [
        ReminderStep(settings=billing, days=days, **reminder_defaults(days)) for days in DEFAULT_REMINDER_DAYS
    ]


@receiver(post_save, sender=BillingSettings, dispatch_uid="caseflow_wagtail.default_reminder_steps")
def start_with_the_default_schedule(
    sender, instance: BillingSettings, created: bool, raw: bool = False, **kwargs
):
    # A form that creates the settings with its own steps saves them itself, just after this.
    if created and not raw and not instance.reminder_steps.exists():
        ReminderStep.objects.bulk_create(default_steps(instance))
