from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REUSE_MARGIN = datetime.timedelta(minutes=5)


class CheckoutStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETE = "complete", _("Complete")
    EXPIRED = "expired", _("Expired")


class CheckoutSession(models.Model):
    """A Stripe Checkout Session opened for an invoice, kept so a repeat click reuses it."""

    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage", on_delete=models.CASCADE, related_name="checkout_sessions"
    )
    # The site whose Stripe account opened it: only that site's webhook may credit a payment for it.
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_id = models.CharField(_("Stripe Checkout Session"), max_length=255, unique=True)
    url = models.URLField(max_length=2000)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    # The balance when the session was opened: a session for an older balance is never reused.
    balance = models.DecimalField(max_digits=18, decimal_places=3)
    livemode = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    success_page_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Checkout session")
        verbose_name_plural = _("Checkout sessions")
        indexes = [models.Index(fields=["invoice", "status"])]

    def __str__(self) -> str:
        return self.stripe_id

    @property
    def is_reusable(self) -> bool:
        # A margin so the client is not sent to a page that expires while they type.
        return self.status == CheckoutStatus.OPEN and self.expires_at > timezone.now() + REUSE_MARGIN
