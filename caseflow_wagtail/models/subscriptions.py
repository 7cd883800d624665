"""Retainer subscriptions: Stripe charges a client's saved card every cycle; each charge becomes an invoice."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import money

TOKEN_BYTES = 24  # 192 random bits, like the invoice links


def new_subscription_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class SubscriptionInterval(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


# Stripe's recurring.interval and interval_count for each choice.
STRIPE_INTERVALS: dict[str, tuple[str, int]] = {
    SubscriptionInterval.MONTHLY: ("month", 1),
    SubscriptionInterval.QUARTERLY: ("month", 3),
    SubscriptionInterval.YEARLY: ("year", 1),
}


class SubscriptionStatus(models.TextChoices):
    # Stripe's own statuses, so a state from Stripe is stored as it is.
    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Setup expired")
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    UNPAID = "unpaid", _("Unpaid")
    PAUSED = "paused", _("Paused")
    CANCELED = "canceled", _("Canceled")


# No event can bring a subscription back from these.
FINAL_STATUSES = (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED)
# The client has a card on file that Stripe charges: the card can be replaced.
BILLING_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.UNPAID,
    SubscriptionStatus.TRIALING,
)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def card_update_for(self, invoice, gateway) -> Subscription | None:
        """The client's subscription whose card the invoice page may offer to update (its saved card is
        the one Stripe charges); None when the firm does not allow card updates or there is none."""
        if gateway is None or not gateway.allow_card_update:
            return None
        return (
            self.filter(client_id=invoice.client_id, status__in=BILLING_STATUSES)
            .exclude(stripe_customer_id="")
            .order_by("-created_at")
            .first()
        )


class Subscription(models.Model):
    """A client's retainer: a fixed amount charged by Stripe every cycle."""

    client = models.ForeignKey(
        "caseflow_wagtail.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(
        _("description"),
        max_length=255,
        help_text=_("Sent to Stripe and shown to the client: name nothing confidential (no matter names)."),
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    interval = models.CharField(_("interval"), max_length=20, choices=SubscriptionInterval.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.INCOMPLETE,
        db_index=True,
    )
    # The key of the client's public pages (setup, card update): unguessable, never a database id.
    public_token = models.CharField(
        max_length=64, unique=True, default=new_subscription_token, editable=False
    )

    stripe_customer_id = models.CharField(_("Stripe customer"), max_length=255, blank=True)
    stripe_product_id = models.CharField(_("Stripe product"), max_length=255, blank=True)
    stripe_price_id = models.CharField(_("Stripe price"), max_length=255, blank=True)
    stripe_subscription_id = models.CharField(_("Stripe subscription"), max_length=255, blank=True)
    stripe_checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, blank=True)
    setup_session_url = models.URLField(max_length=2000, blank=True)
    setup_session_expires_at = models.DateTimeField(null=True, blank=True)

    current_period_end = models.DateTimeField(_("current period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    canceled_at = models.DateTimeField(_("canceled"), null=True, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=30, blank=True)
    card_last4 = models.CharField(_("card last four"), max_length=4, blank=True)
    stripe_payment_method_id = models.CharField(max_length=255, blank=True)
    # The ``created`` time of the last subscription event applied: an older event never overwrites it.
    last_event_at = models.DateTimeField(null=True, blank=True, editable=False)
    payment_failed_at = models.DateTimeField(_("last payment failure"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~Q(stripe_subscription_id=""),
                name="caseflow_unique_subscription_stripe_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="caseflow_subscription_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.client} — {self.display_amount} {self.get_interval_display()}"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def next_charge_at(self):
        """When Stripe charges next; None once nothing more will be charged."""
        if self.cancel_at_period_end or self.status not in BILLING_STATUSES:
            return None
        return self.current_period_end

    @property
    def card_display(self) -> str:
        if not self.card_last4:
            return ""
        return f"{self.card_brand.title()} •••• {self.card_last4}".strip()

    @property
    def is_incomplete(self) -> bool:
        return self.status == SubscriptionStatus.INCOMPLETE

    @property
    def can_cancel(self) -> bool:
        return bool(self.stripe_subscription_id) and self.status not in FINAL_STATUSES

    @property
    def card_updatable(self) -> bool:
        return bool(self.stripe_customer_id) and self.status in BILLING_STATUSES


class CycleStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    ACTION_REQUIRED = "action_required", _("Authentication required")


class SubscriptionCycle(models.Model):
    """One Stripe invoice of a subscription: a charge, failed or paid, and the invoice page it became."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="cycles"
    )
    # One row per Stripe invoice: a duplicate or late event finds it and creates nothing more.
    stripe_invoice_id = models.CharField(_("Stripe invoice"), max_length=255, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=CycleStatus.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    invoice = models.OneToOneField(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscription_cycle",
    )
    failure_message = models.CharField(_("failure"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription charge")
        verbose_name_plural = _("subscription charges")

    def __str__(self) -> str:
        return self.stripe_invoice_id

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)
