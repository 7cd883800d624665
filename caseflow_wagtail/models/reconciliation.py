"""What Stripe did to money the plugin recorded (refunds, disputes), and how healthy the webhook is.

These rows are Stripe's side of the books. The ledger's side is the Adjustment each one is reconciled to,
recorded only through ``caseflow_wagtail.ledger`` and linked to the Stripe id so it exists at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import money

# Stripe's status words, as staff read them.
REFUND_STATUS_LABELS = {
    "pending": _("Pending"),
    "requires_action": _("Needs action in Stripe"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
    "canceled": _("Canceled"),
}
DISPUTE_STATUS_LABELS = {
    "warning_needs_response": _("Inquiry: response needed"),
    "warning_under_review": _("Inquiry: under review"),
    "warning_closed": _("Inquiry closed"),
    "needs_response": _("Response needed"),
    "under_review": _("Under review"),
    "won": _("Won"),
    "lost": _("Lost"),
    "prevented": _("Prevented"),
}


class StripeRefund(models.Model):
    """A refund made in Stripe of a payment the plugin recorded."""

    stripe_id = models.CharField(_("Stripe refund"), max_length=255, unique=True)
    payment = models.ForeignKey(
        "caseflow_wagtail.Payment",
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        related_name="stripe_refunds",
    )
    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="stripe_refunds",
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    # Stripe's own words: pending, requires_action, succeeded, failed or canceled.
    status = models.CharField(_("status in Stripe"), max_length=30)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    refunded_at = models.DateTimeField(_("refunded in Stripe"))
    noted_at = models.DateTimeField(_("received"), auto_now_add=True)
    adjustment = models.OneToOneField(
        "caseflow_wagtail.Adjustment",
        verbose_name=_("adjustment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stripe_refund",
    )
    reconciled_at = models.DateTimeField(_("reconciled"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reconciled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Money that has left (or is leaving) the firm's Stripe balance.
    MONEY_RETURNED = ("pending", "requires_action", "succeeded")

    class Meta:
        ordering = ["-refunded_at"]
        verbose_name = _("Stripe refund")
        verbose_name_plural = _("Stripe refunds")

    def __str__(self) -> str:
        return f"{self.stripe_id} {self.display_amount}"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def status_label(self) -> str:
        return str(REFUND_STATUS_LABELS.get(self.status, self.status))

    @property
    def needs_reconciling(self) -> bool:
        return self.adjustment_id is None and self.status in self.MONEY_RETURNED


class DisputeStatus:
    OPEN = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
    WON = "won"
    LOST = "lost"


class StripeDispute(models.Model):
    """A chargeback (or inquiry) a client's bank opened on a payment the plugin recorded."""

    stripe_id = models.CharField(_("Stripe dispute"), max_length=255, unique=True)
    payment = models.ForeignKey(
        "caseflow_wagtail.Payment",
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        related_name="stripe_disputes",
    )
    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="stripe_disputes",
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    status = models.CharField(_("status in Stripe"), max_length=30)
    evidence_due_by = models.DateTimeField(_("evidence due by"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    adjustment = models.OneToOneField(
        "caseflow_wagtail.Adjustment",
        verbose_name=_("adjustment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stripe_dispute",
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("Stripe dispute")
        verbose_name_plural = _("Stripe disputes")

    def __str__(self) -> str:
        return f"{self.stripe_id} {self.display_amount}"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def status_label(self) -> str:
        return str(DISPUTE_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_open(self) -> bool:
        return self.status in DisputeStatus.OPEN

    @property
    def is_lost(self) -> bool:
        return self.status == DisputeStatus.LOST

    @property
    def awaits_adjustment(self) -> bool:
        return self.is_lost and self.adjustment_id is None

    @property
    def reason_label(self) -> str:
        return self.reason.replace("_", " ").capitalize()


class WebhookRefusal(models.Model):
    """Deliveries refused for a bad signature: a count per site and day, never the body that was sent.

    A count rather than a row per delivery, so that someone posting junk at the endpoint cannot grow the
    table without bound.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("refused deliveries"), default=0)
    last_at = models.DateTimeField(_("last refused"))
    last_reason = models.CharField(_("last reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("refused webhook delivery")
        verbose_name_plural = _("refused webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="caseflow_unique_refusal_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"

    @classmethod
    def note(cls, site, reason: str) -> None:
        now = timezone.now()
        row, created = cls.objects.get_or_create(
            site=site,
            day=now.date(),
            defaults={"count": 1, "last_at": now, "last_reason": reason[:255]},
        )
        if not created:
            cls.objects.filter(pk=row.pk).update(count=F("count") + 1, last_at=now, last_reason=reason[:255])


class SyncRun(models.Model):
    """One run of "Sync from Stripe", with what it found and did."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    since = models.DateTimeField(_("events since"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("Stripe sync")
        verbose_name_plural = _("Stripe syncs")

    def __str__(self) -> str:
        return f"{self.site_id} {self.started_at:%Y-%m-%d %H:%M}"
