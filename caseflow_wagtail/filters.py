"""Filters for the Billing listings in the admin."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect

from .models import (
    Adjustment,
    AdjustmentKind,
    Client,
    InvoicePage,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentSource,
)


def _currencies_in(model) -> list[tuple[str, str]]:
    # Offer only the currencies that are actually in use, so the filter stays short.
    codes = model.objects.order_by("currency").values_list("currency", flat=True).distinct()
    return [(code, code) for code in codes if code]


def invoice_currency_choices() -> list[tuple[str, str]]:
    return _currencies_in(InvoicePage)


def payment_currency_choices() -> list[tuple[str, str]]:
    return _currencies_in(Payment)


def adjustment_currency_choices() -> list[tuple[str, str]]:
    return _currencies_in(Adjustment)


class InvoiceFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=InvoiceStatus.choices,
        method="filter_status",
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    overpaid = django_filters.BooleanFilter(
        label=_("Overpaid"),
        method="filter_overpaid",
        widget=BooleanRadioSelect,
    )
    client = django_filters.ModelMultipleChoiceFilter(
        label=_("Client"),
        queryset=Client.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"),
        choices=invoice_currency_choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    due_date = django_filters.DateFromToRangeFilter(label=_("Due date"), widget=DateRangePickerWidget)

    class Meta:
        model = InvoicePage
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        # The status is derived, so the rules live in one place: the queryset method.
        matching = InvoicePage.objects.with_status(value).values("pk")
        return queryset.filter(pk__in=matching)

    def filter_overpaid(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overpaid = InvoicePage.objects.overpaid().values("pk")
        if value:
            return queryset.filter(pk__in=overpaid)
        return queryset.exclude(pk__in=overpaid)


class PaymentFilterSet(WagtailFilterSet):
    method = django_filters.MultipleChoiceFilter(
        label=_("Method"), choices=PaymentMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    source = django_filters.MultipleChoiceFilter(
        label=_("Recorded from"), choices=PaymentSource.choices, widget=forms.CheckboxSelectMultiple
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"),
        choices=payment_currency_choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    received_on = django_filters.DateFromToRangeFilter(label=_("Received on"), widget=DateRangePickerWidget)
    overpaid = django_filters.BooleanFilter(
        label=_("Invoice overpaid"),
        method="filter_overpaid",
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = Payment
        fields: list[str] = []

    def filter_overpaid(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overpaid = InvoicePage.objects.overpaid().values("pk")
        if value:
            return queryset.filter(invoice__in=overpaid)
        return queryset.exclude(invoice__in=overpaid)


class AdjustmentFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=AdjustmentKind.choices, empty_label=_("All"), widget=forms.RadioSelect
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"),
        choices=adjustment_currency_choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Recorded"), widget=DateRangePickerWidget)

    class Meta:
        model = Adjustment
        fields: list[str] = []
