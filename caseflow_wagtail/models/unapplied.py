"""Money Stripe took that the plugin could not credit to an invoice: kept, shown and resolved by staff.

A payment lands here instead of on an invoice when crediting it would be wrong: the Checkout Session was
never opened by the plugin (or not for this site, invoice, amount or currency), the invoice's currency
changed while the client was paying, or the invoice was voided meanwhile. Staff apply it to an invoice of
the same currency, or refund it in Stripe and mark it refunded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import money


class UnappliedReason(models.TextChoices):
    UNKNOWN_SESSION = "unknown_session", _("Not a payment page this site opened")
    MISMATCH = "mismatch", _("Amount or currency differ from the payment page opened")
    CURRENCY_CHANGED = "currency_changed", _("The invoice's currency changed while the client paid")
    INVOICE_VOID = "invoice_void", _("The invoice was voided before the client paid: refund it")


class UnappliedStatus(models.TextChoices):
    NEEDS_REVIEW = "needs_review", _("Needs review")
    APPLIED = "applied", _("Applied to an invoice")
    REFUNDED = "refunded", _("Refunded")


class UnappliedPayment(models.Model):
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.ForeignKey(
        "caseflow_wagtail.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unapplied_payments",
    )
    # The invoice the payment named, when it named one of this site's: for information, never credited.
    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice named"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unapplied_payments",
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=30, choices=UnappliedReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=UnappliedStatus.choices, default=UnappliedStatus.NEEDS_REVIEW
    )
    stripe_checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, blank=True)
    stripe_payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    stripe_event_id = models.CharField(_("Stripe event"), max_length=255, blank=True)
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    applied_payment = models.OneToOneField(
        "caseflow_wagtail.Payment",
        verbose_name=_("payment recorded"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_unapplied",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unapplied payment")
        verbose_name_plural = _("unapplied payments")
        constraints = [
            # One row per Stripe payment, however often its events repeat.
            models.UniqueConstraint(
                fields=["stripe_payment_intent_id"],
                condition=~Q(stripe_payment_intent_id=""),
                name="caseflow_unique_unapplied_pi",
            ),
            models.UniqueConstraint(
                fields=["stripe_checkout_session_id"],
                condition=~Q(stripe_checkout_session_id=""),
                name="caseflow_unique_unapplied_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_amount} ({self.get_reason_display()})"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def needs_review(self) -> bool:
        return self.status == UnappliedStatus.NEEDS_REVIEW
