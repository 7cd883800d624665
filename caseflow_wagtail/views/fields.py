"""Form fields the billing screens share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import money


class AmountField(forms.DecimalField):
    """A positive amount; the currency's precision is checked by the form that knows the currency."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("min_value", None)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and value <= 0:
            raise ValidationError(_("Enter an amount greater than zero."), code="not_positive")
        # Before the digit-count validators, whose "no more than 15 digits" does not say what is wrong.
        if value is not None and not money.is_within_limit(value):
            raise ValidationError(money.too_large_message(), code="too_large")
