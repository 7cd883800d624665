from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..reminders.panels import ReminderStepsPanel


@register_setting(icon="doc-full")
class BillingSettings(ClusterableModel, BaseSiteSetting):
    """How this site's invoices are numbered, signed and chased."""

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

    firm_address = models.TextField(
        _("address"), blank=True, help_text=_("The firm's postal address, one line per line.")
    )
    firm_phone = models.CharField(_("phone"), max_length=50, blank=True)
    firm_tax_number = models.CharField(
        _("tax number"), max_length=50, blank=True, help_text=_("E.g. a VAT, GST or ABN number.")
    )
    firm_tax_number_label = models.CharField(
        _("tax number label"),
        max_length=50,
        blank=True,
        help_text=_("How invoices name it, e.g. “VAT number”. Leave blank for “Tax number”."),
    )
    firm_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the top of the invoice page."),
    )

    attach_receipt_pdf = models.BooleanField(
        _("attach PDF receipts to receipt emails"),
        default=False,
        help_text=_(
            "Each receipt email carries the receipt as a PDF. If the PDF cannot be made, the email still "
            "goes out without it."
        ),
    )

    attach_invoice_pdf = models.BooleanField(
        _("attach PDF invoices to invoice emails"),
        default=False,
        help_text=_(
            "Each invoice email, and each payment reminder, carries the invoice as a PDF. If the PDF cannot "
            "be made, the email still goes out without it."
        ),
    )

    send_reminders = models.BooleanField(
        _("send payment reminders"),
        default=False,
        help_text=_(
            "Email the client on each step below until the invoice is paid. Only invoices that were sent "
            "by email get reminders; a client or an invoice can be left out."
        ),
    )
    reminder_spacing_days = models.PositiveSmallIntegerField(
        _("days between emails"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "A reminder waits until this many days have passed since the invoice or the last reminder was "
            "sent, so that a client never gets two emails in a row."
        ),
    )

    panels = [
        FieldPanel("firm_name"),
        FieldPanel("invoice_number_prefix"),
        FieldPanel("billing_email"),
        FieldPanel("attach_receipt_pdf"),
        FieldPanel("attach_invoice_pdf"),
        MultiFieldPanel(
            [
                FieldPanel("firm_address"),
                FieldPanel("firm_phone"),
                FieldPanel("firm_tax_number_label"),
                FieldPanel("firm_tax_number"),
                FieldPanel("firm_logo"),
            ],
            heading=_("The firm's details"),
            help_text=_("Shown on the invoice page, and available to emails as merge fields."),
        ),
        MultiFieldPanel(
            [
                FieldPanel("send_reminders"),
                FieldPanel("reminder_spacing_days"),
                ReminderStepsPanel("reminder_steps", heading=_("Schedule"), label=_("Reminder")),
            ],
            heading=_("Payment reminders"),
            help_text=_(
                "Each step is sent at most once per invoice, from its own template. When the job has not "
                "run for a while, only the latest step that is due goes out."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("billing")

    def get_firm_name(self) -> str:
        from .. import conf

        return conf.get("FIRM_NAME", self.firm_name) or (self.site.site_name if self.site_id else "")
