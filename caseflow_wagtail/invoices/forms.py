"""The invoice editor's forms: suggested numbers and dates, the currency the ledger fixes, totals within
the limits and above the credits, and copies that start as new drafts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.forms.pages import CopyForm

from .. import conf, money, totals
from ..models.payments import AdjustmentKind
from ..models.settings import BillingSettings


def billing_settings_for(site) -> Any:
    return BillingSettings.for_site(site) if site is not None else None


def invoices_in_site_of(page, model):
    """Invoices sharing a site with ``page`` (a parent page or an invoice)."""
    site = page.get_site()
    scope = site.root_page if site is not None else page
    return model.objects.descendant_of(scope)


def suggest_invoice_number(parent_page, model) -> str:
    site = parent_page.get_site()
    settings_row = billing_settings_for(site)
    prefix = conf.get("INVOICE_NUMBER_PREFIX", settings_row.invoice_number_prefix if settings_row else None)
    digits = int(conf.get("INVOICE_NUMBER_DIGITS"))
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    existing = invoices_in_site_of(parent_page, model).filter(invoice_number__startswith=prefix)
    numbers = [
        int(m.group(1)) for m in map(pattern.match, existing.values_list("invoice_number", flat=True)) if m
    ]
    return f"{prefix}{(max(numbers, default=0) + 1):0{digits}d}"


class InvoicePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = type(self.instance)
        if self.instance._state.adding and self.parent_page is not None:
            today = timezone.localdate()
            suggestions = {
                "invoice_number": suggest_invoice_number(self.parent_page, model),
                "issue_date": today,
                "due_date": today + datetime.timedelta(days=int(conf.get("PAYMENT_TERMS_DAYS"))),
                "currency": conf.get("DEFAULT_CURRENCY"),
            }
            # The model form's initial already holds the blank model defaults, so setdefault would keep them.
            for name, value in suggestions.items():
                if not self.initial.get(name):
                    self.initial[name] = value
        elif self.recorded_currency() and "currency" in self.fields:
            self.fields["currency"].help_text = _(
                "Payments are recorded in this currency, so it cannot change."
            )
            # Left editable only when this revision (a stale draft) names another one, so it can be fixed.
            self.fields["currency"].disabled = self.instance.currency == self.recorded_currency()

    def recorded_currency(self) -> str:
        """The currency the ledger holds entries in for this invoice; empty when it holds none."""
        if not self.instance.pk or not self.instance.has_ledger_entries():
            return ""
        row = type(self.instance).objects.filter(pk=self.instance.pk).values_list("currency").first()
        return row[0] if row else ""

    def clean_currency(self) -> str:
        currency = money.normalize_currency(self.cleaned_data.get("currency", ""))
        recorded = self.recorded_currency()
        if recorded:
            refusal = self.instance.currency_change_refusal(currency, recorded)
            if refusal:
                raise ValidationError(refusal)
        return currency

    def clean_invoice_number(self) -> str:
        number = (self.cleaned_data.get("invoice_number") or "").strip()
        if not number:
            raise ValidationError(_("Enter an invoice number."))
        page = self.instance if self.instance.pk else self.parent_page
        if page is not None:
            clash = invoices_in_site_of(page, type(self.instance)).filter(invoice_number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(
                    _("Invoice number %(number)s is already used on this site."), params={"number": number}
                )
        return number

    def clean(self):
        cleaned = super().clean()
        issue, due = cleaned.get("issue_date"), cleaned.get("due_date")
        if issue and due and due < issue:
            self.add_error("due_date", _("The due date cannot be before the issue date."))
        currency = cleaned.get("currency")
        lines = self.formsets.get("lines")
        if currency and lines is not None:
            kept, all_valid = [], True
            for line_form in lines.forms:
                valid = line_form.is_valid()  # first: it fills cleaned_data, DELETE included
                if lines._should_delete_form(line_form):
                    continue
                if not valid:
                    all_valid = False
                    continue
                price = line_form.cleaned_data.get("unit_price")
                if price is not None and not money.has_valid_precision(price, currency):
                    all_valid = False
                    line_form.add_error("unit_price", money.precision_message(currency))
                kept.append(line_form)
            if all_valid:
                # Only lines that are all valid add up to the total that would be saved.
                self.check_totals(currency, lines, kept)
        return cleaned

    def recorded_credits(self) -> Decimal:
        if not self.instance.pk:
            return Decimal(0)
        amounts = self.instance.adjustments.filter(kind=AdjustmentKind.CREDIT).values_list(
            "amount", flat=True
        )
        return sum(amounts, Decimal(0))

    def check_totals(self, currency: str, lines, line_forms: list) -> None:
        """Too large a line or total, or a total below the credits: errors on the line's field, or above
        the line items. ``InvoicePage.save`` checks again, under the invoice's row lock."""
        found = totals.refusals([form.instance for form in line_forms], currency, self.recorded_credits())
        for index, errors in found.lines.items():
            for name, message in errors.items():
                line_forms[index].add_error(name, message)
        if found.invoice:
            # Shown above the line items; the formset, so the whole form, is then invalid.
            lines.non_form_errors().extend(found.invoice)


class InvoiceCopyForm(CopyForm):
    """Copying an invoice makes a new draft invoice: never an alias (which would share its link and
    payments) and never published straight away, since it gets a new number to review first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("alias", None)
        self.fields.pop("publish_copies", None)


def renumber_copy(invoice) -> str:
    """Give a copied invoice the next number of its site (a copy starts as a draft with the original's)."""
    invoice.invoice_number = suggest_invoice_number(invoice.get_parent(), type(invoice))
    invoice.slug = ""
    invoice.full_clean()
    invoice.save()
    invoice.save_revision(log_action=False)
    return invoice.invoice_number
