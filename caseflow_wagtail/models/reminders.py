"""Payment reminders: each site's schedule of steps (Settings → Billing), and one record per step an invoice
reached, whether it was sent or passed over."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, HelpPanel

from .emails import MessageTemplate

# Far enough either side of a due date for any real schedule; the bound keeps dates arithmetic safe.
MAX_STEP_DAYS = 365


def describe_days(days: int) -> str:
    """How staff read a step, mid-sentence: "3 days before the due date", "on the due date"."""
    if days == 0:
        return gettext("on the due date")
    if days < 0:
        return ngettext("%(days)s day before the due date", "%(days)s days before the due date", -days) % {
            "days": -days
        }
    return ngettext("%(days)s day after the due date", "%(days)s days after the due date", days) % {
        "days": days
    }


class ReminderStep(MessageTemplate):
    """One email of a site's reminder schedule, sent a number of days from each invoice's due date."""

    settings = ParentalKey(
        "caseflow_wagtail.BillingSettings", on_delete=models.CASCADE, related_name="reminder_steps"
    )
    days = models.SmallIntegerField(
        _("days from the due date"),
        validators=[MinValueValidator(-MAX_STEP_DAYS), MaxValueValidator(MAX_STEP_DAYS)],
        help_text=_("Negative before the due date: -3 is three days before, 0 the due date, 7 a week after."),
    )

    merge_fields_key = "invoice-reminder"

    panels = [
        FieldPanel("days"),
        HelpPanel(template="caseflow_wagtail/admin/email_merge_fields.html"),
        FieldPanel("subject"),
        FieldPanel("text_body"),
        FieldPanel("html_body"),
    ]

    class Meta:
        ordering = ["days"]
        verbose_name = _("reminder step")
        verbose_name_plural = _("reminder steps")
        constraints = [
            models.UniqueConstraint(fields=["settings", "days"], name="caseflow_one_reminder_step_per_day")
        ]

    def __str__(self) -> str:
        return capfirst(describe_days(self.days))


class ReminderStatus(models.TextChoices):
    # Claimed by one run, which is sending it now; never sent again by itself (it may have gone out).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    # Not sent (the mail service refused it): the next run tries again while the step is still the one due.
    FAILED = "failed", _("Failed")
    # Passed over: a later step was due by the time a run came, and only the latest goes.
    SKIPPED = "skipped", _("Skipped")


class InvoiceReminder(models.Model):
    """A step of the schedule that an invoice reached: at most one per invoice and step, by the database."""

    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    days = models.SmallIntegerField(_("days from the due date"))
    scheduled_for = models.DateField(_("scheduled for"))
    status = models.CharField(_("status"), max_length=20, choices=ReminderStatus.choices)
    to_email = models.EmailField(_("to"), blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True, db_index=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = _("invoice reminder")
        verbose_name_plural = _("invoice reminders")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "days"], name="caseflow_one_reminder_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {describe_days(self.days)}"

    @property
    def step_label(self) -> str:
        return describe_days(self.days)
