from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="doc-full")
class BillingSettings(BaseSiteSetting):
    """How this site's invoices are numbered and signed."""

    firm_name = models.CharField(
        _("firm name"),
        max_length=255,
        blank=True,
        help_text=_("Shown on invoices and receipts. Leave blank to use the site name."),
    )
    invoice_number_prefix = models.CharField(
        _("invoice number prefix"),
        max_length=20,
        blank=True,
        help_text=_("New invoices are numbered PREFIX0001, PREFIX0002, … Leave blank for “INV-”."),
    )
    billing_email = models.EmailField(
        _("billing email"),
        blank=True,
        help_text=_(
            "Where clients' replies to receipts and sent invoices go, where the firm is notified, and "
            "where a copy of a sent invoice goes when asked."
        ),
    )

    attach_receipt_pdf = models.BooleanField(
        _("attach PDF receipts to receipt emails"),
        default=False,
        help_text=_(
            "Each receipt email carries the receipt as a PDF. If the PDF cannot be made, the email still "
            "goes out without it."
        ),
    )

    panels = [
        FieldPanel("firm_name"),
        FieldPanel("invoice_number_prefix"),
        FieldPanel("billing_email"),
        FieldPanel("attach_receipt_pdf"),
    ]

    class Meta:
        verbose_name = _("billing")

    def get_firm_name(self) -> str:
        from .. import conf

        return conf.get("FIRM_NAME", self.firm_name) or (self.site.site_name if self.site_id else "")
