from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import money


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card (online)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class PaymentSource(models.TextChoices):
    WEBHOOK = "webhook", _("Stripe webhook")
    SUCCESS_PAGE = "success_page", _("Checkout success page")
    SYNC = "sync", _("Sync from Stripe")
    MANUAL = "manual", _("Recorded by staff")


class ReceiptStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    PENDING = "pending", _("Queued")
    # Claimed by one worker, which is sending it now. A claim whose worker died is never sent again by
    # itself (it may have gone out): staff can resend it.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed; will retry")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")


# Stripe's card brand codes (``payment_method_details.card.brand``) as the cards themselves say them. A code
# not listed here (``unknown``, or one Stripe adds later) shows as "Card".
CARD_BRANDS: dict[str, str] = {
    "amex": "American Express",
    "cartes_bancaires": "Cartes Bancaires",
    "diners": "Diners Club",
    "discover": "Discover",
    "eftpos_au": "eftpos",
    "jcb": "JCB",
    "link": "Link",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}


class AdjustmentKind(models.TextChoices):
    REFUND = "refund", _("Refund (money returned; the balance reopens)")
    CREDIT = "credit", _("Credit (amount forgiven; lowers what is owed)")


def _unique_when_set(field: str) -> models.UniqueConstraint:
    # Several entries may lack an external id; two may never share one.
    return models.UniqueConstraint(
        fields=[field], condition=~Q(**{field: ""}), name=f"caseflow_unique_%(class)s_{field}"
    )


class Payment(models.Model):
    """Money received against an invoice. Created only through ``caseflow_wagtail.ledger``."""

    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    source = models.CharField(_("recorded from"), max_length=20, choices=PaymentSource.choices)
    received_on = models.DateField(_("received on"), default=datetime.date.today)
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    stripe_payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    stripe_charge_id = models.CharField(_("Stripe charge"), max_length=255, blank=True)
    stripe_checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, blank=True)
    # The card as Stripe's charge names it (brand code and last four digits), for the client's confirmation
    # and receipt. Blank for payments by other means, and for card payments from before it was stored.
    card_brand = models.CharField(_("card brand"), max_length=32, blank=True)
    card_last4 = models.CharField(_("card's last four digits"), max_length=4, blank=True)
    fee = models.DecimalField(
        _("Stripe fee"),
        max_digits=18,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("For information: the invoice is credited with the gross amount."),
    )
    net = models.DecimalField(_("net deposited"), max_digits=18, decimal_places=3, null=True, blank=True)
    # Stripe's fee and net are in the balance transaction's currency (the account's settlement currency),
    # which can differ from the payment's. Blank on entries from before it was stored: the payment's own.
    fee_currency = models.CharField(_("fee currency"), max_length=3, blank=True)
    # The rate Stripe converted the payment at (payment amount times rate = amount in the fee currency), kept
    # as Stripe wrote it; null when nothing was converted. Stripe's rates run from about 0.00001 (a charge
    # in dong or rupiah settled in dollars) to about 100000 (dinars settled in rupiah) and carry some six
    # to eight significant digits: 12 places keep seven of the smallest, 8 integer digits hold the largest.
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=money.RATE_DIGITS,
        decimal_places=money.RATE_PLACES,
        null=True,
        blank=True,
    )
    # This invoice's share of one card payment that paid several invoices at once (the client's account
    # page). Stripe's ids, the card and the fee are the combined payment's; this row holds none of them.
    combined_payment = models.ForeignKey(
        "caseflow_wagtail.CombinedPayment",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    receipt_status = models.CharField(
        _("receipt"), max_length=20, choices=ReceiptStatus.choices, default=ReceiptStatus.NOT_SENT
    )
    receipt_to = models.EmailField(_("receipt sent to"), blank=True)
    receipt_message_id = models.CharField(_("receipt message id"), max_length=255, blank=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent at"), null=True, blank=True)
    receipt_attempts = models.PositiveSmallIntegerField(_("receipt attempts"), default=0)
    receipt_claimed_at = models.DateTimeField(_("receipt claimed at"), null=True, blank=True)
    receipt_error = models.TextField(_("receipt error"), blank=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            _unique_when_set("stripe_payment_intent_id"),
            _unique_when_set("stripe_charge_id"),
            _unique_when_set("stripe_checkout_session_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="caseflow_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{money.format_money(self.amount, self.currency)} — {self.invoice_id}"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def display_card(self) -> str:
        """“Visa •••• 4242”: the card as its holder knows it; "" when none is known (not a card, or
        recorded before cards were kept)."""
        if not self.card_last4:
            return ""
        brand = CARD_BRANDS.get(self.card_brand) or _("Card")
        return _("%(brand)s •••• %(last4)s") % {"brand": brand, "last4": self.card_last4}

    @property
    def fee_currency_code(self) -> str:
        """The currency of ``fee`` and ``net`` (blank while there is no fee)."""
        if self.fee is None and self.net is None:
            return ""
        return self.fee_currency or self.currency

    @property
    def display_fee(self) -> str:
        """Stripe's fee in its own currency, “$1.27” for a yen payment settled in dollars ("" if unknown)."""
        return money.format_money(self.fee, self.fee_currency_code)

    @property
    def display_net(self) -> str:
        return money.format_money(self.net, self.fee_currency_code)

    @property
    def display_exchange_rate(self) -> str:
        """“1 JPY = 0.0067 USD”; "" when Stripe converted nothing."""
        if self.exchange_rate is None:
            return ""
        return _("1 %(currency)s = %(rate)s %(fee_currency)s") % {
            "currency": self.currency,
            "rate": money.format_rate(self.exchange_rate),
            "fee_currency": self.fee_currency_code,
        }

    @property
    def fee_pending(self) -> bool:
        """A Stripe card payment whose fee Stripe has not reported yet (asynchronous capture)."""
        stripe_paid = bool(self.stripe_charge_id or self.stripe_payment_intent_id)
        return self.method == PaymentMethod.CARD and stripe_paid and self.fee is None


class Adjustment(models.Model):
    """A refund or credit against an invoice. Created only through ``caseflow_wagtail.ledger``."""

    invoice = models.ForeignKey(
        "caseflow_wagtail.InvoicePage",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=500)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment refunded"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("billing adjustment")
        verbose_name_plural = _("billing adjustments")
        constraints = [
            _unique_when_set("stripe_refund_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="caseflow_adjustment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {money.format_money(self.amount, self.currency)}"

    @property
    def display_amount(self) -> str:
        return money.format_money(self.amount, self.currency)
