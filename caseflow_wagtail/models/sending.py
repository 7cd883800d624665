"""Invoices emailed to clients: one record per time staff sent one, and what the mail service said of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SendingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by one worker, which is sending it now; never sent again by itself (it may have gone out).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")


class InvoiceSending(models.Model):
    """One sending of an invoice by email, requested by staff; created only through ``mail.sending``."""

    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="sendings",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_email = models.EmailField(_("to"))
    cc_email = models.EmailField(_("cc"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SendingStatus.choices, default=SendingStatus.QUEUED
    )
    # What the form that asked for it carried: a second submission of the same form (a double click, a
    # reload) finds this row instead of sending again.
    request_key = models.CharField(max_length=100, unique=True, editable=False)
    message_id = models.CharField(_("message id"), max_length=255, blank=True, db_index=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("invoice sending")
        verbose_name_plural = _("invoice sendings")

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.to_email}"
