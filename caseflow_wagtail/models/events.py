from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventOutcome(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class StripeEvent(models.Model):
    """A verified webhook event, stored once per Stripe event id with what processing it did."""

    stripe_id = models.CharField(_("Stripe event"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    livemode = models.BooleanField(_("live mode"), default=False)
    account = models.CharField(_("Stripe account"), max_length=255, blank=True)
    api_version = models.CharField(_("API version"), max_length=50, blank=True)
    object_id = models.CharField(_("object"), max_length=255, blank=True, db_index=True)
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(_("payload"))
    created = models.DateTimeField(_("created in Stripe"), null=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=EventOutcome.choices, default=EventOutcome.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"
