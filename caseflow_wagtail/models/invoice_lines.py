"""An invoice's line items: description, quantity, unit price and tax, rounded in the invoice's currency."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
)
from wagtail.models import Orderable

from .. import money, totals


class InvoiceLine(Orderable):
    invoice = ParentalKey("caseflow_wagtail.InvoicePage", on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001"), message=_("The quantity must be more than zero."))],
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=18,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0), message=_("The unit price cannot be negative."))],
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), message=_("The tax rate cannot be negative."))],
    )

    panels = [
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("quantity"), FieldPanel("unit_price"), FieldPanel("tax_rate")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("line item")
        verbose_name_plural = _("line items")

    def __str__(self) -> str:
        return self.description

    def clean(self):
        super().clean()
        try:
            currency = self.invoice.currency or None
        except ObjectDoesNotExist:
            currency = None
        # Too large before any rounding; the invoice's form and save check the rounded amounts and totals.
        refusals = totals.raw_line_refusals(self, currency)
        if refusals:
            raise ValidationError(refusals)

    def amount_in(self, currency: str) -> Decimal:
        return _rounded((self.quantity or Decimal(0)) * (self.unit_price or Decimal(0)), currency)

    def tax_in(self, currency: str) -> Decimal:
        if not self.tax_rate:
            return money.quantize(0, currency)
        return _rounded(self.amount_in(currency) * self.tax_rate / 100, currency)


def _rounded(amount: Decimal, currency: str) -> Decimal:
    # A draft saved from code may hold a line far too large to round (1E+26 cannot be quantized): it is
    # left as it is, so that opening or previewing the draft still works; saving it is refused.
    return money.quantize(amount, currency) if money.is_within_limit(amount) else amount
