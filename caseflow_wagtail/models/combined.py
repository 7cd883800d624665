"""Paying several invoices at once from the client's account page.

An ``AccountCheckout`` is the Stripe Checkout Session opened for them, with one ``AccountCheckoutLine`` per
invoice (the amount planned for it, oldest due date first). Once paid, the one card payment is a
``CombinedPayment`` holding Stripe's ids, the card and the fee; what each invoice received is an ordinary
``Payment`` of that invoice (``Payment.combined_payment``), so every invoice's balance comes from its own
payments as always.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import money
from .checkout import REUSE_MARGIN, CheckoutStatus
from .payments import CARD_BRANDS, PaymentSource


def _unique_when_set(field: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[field], condition=~Q(**{field: ""}), name=f"caseflow_unique_%(class)s_{field}"
    )


class AccountCheckout(models.Model):
    """A Checkout Session opened from a client's account page for several invoices."""

    # Named in the session's metadata before Stripe has given the session an id, so the PaymentIntent's
    # own event finds the plan too.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "caseflow_wagtail.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    # The site whose Stripe account opened it: only that site's webhook may record its payment.
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_id = models.CharField(_("Stripe Checkout Session"), max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    livemode = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    success_page_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("account checkout")
        verbose_name_plural = _("account checkouts")
        constraints = [_unique_when_set("stripe_id")]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.stripe_id or str(self.reference)

    @property
    def is_reusable(self) -> bool:
        return bool(
            self.url
            and self.status == CheckoutStatus.OPEN
            and self.expires_at is not None
            and self.expires_at > timezone.now() + REUSE_MARGIN
        )


class AccountCheckoutLine(models.Model):
    """One invoice of an account checkout and the amount planned for it."""

    checkout = models.ForeignKey(AccountCheckout, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage", on_delete=models.CASCADE, related_name="account_checkout_lines"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    # The invoice's balance when the checkout was opened: a checkout for older balances is never reused.
    balance = models.DecimalField(max_digits=18, decimal_places=3)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checkout", "invoice"], name="caseflow_account_checkout_line")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


class CombinedPayment(models.Model):
    """One card payment that settled several invoices; each invoice's share is a ``Payment`` of it
    (``allocations``). Created only through ``caseflow_wagtail.ledger``."""

    checkout = models.OneToOneField(
        AccountCheckout,
        verbose_name=_("account checkout"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    client = models.ForeignKey(
        "caseflow_wagtail.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    source = models.CharField(_("recorded from"), max_length=20, choices=PaymentSource.choices)
    received_on = models.DateField(_("received on"))
    stripe_payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    stripe_charge_id = models.CharField(_("Stripe charge"), max_length=255, blank=True)
    stripe_checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=32, blank=True)
    card_last4 = models.CharField(_("card's last four digits"), max_length=4, blank=True)
    fee = models.DecimalField(_("Stripe fee"), max_digits=18, decimal_places=3, null=True, blank=True)
    net = models.DecimalField(_("net deposited"), max_digits=18, decimal_places=3, null=True, blank=True)
    fee_currency = models.CharField(_("fee currency"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=money.RATE_DIGITS,
        decimal_places=money.RATE_PLACES,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = _("combined payment")
        verbose_name_plural = _("combined payments")
        constraints = [
            _unique_when_set("stripe_payment_intent_id"),
            _unique_when_set("stripe_charge_id"),
            _unique_when_set("stripe_checkout_session_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="caseflow_combined_amount_positive"),
        ]

    def __str__(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def display_card(self) -> str:
        if not self.card_last4:
            return ""
        brand = CARD_BRANDS.get(self.card_brand) or _("Card")
        return _("%(brand)s •••• %(last4)s") % {"brand": brand, "last4": self.card_last4}
