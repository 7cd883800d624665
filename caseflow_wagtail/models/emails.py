from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# The firm's details (Settings → Billing), offered to the emails that go to clients.
FIRM_MERGE_FIELDS: dict[str, StrOrPromise] = {
    "firm_address": _("The firm's address (Settings → Billing), on several lines"),
    "firm_phone": _("The firm's phone number"),
    "firm_tax_number": _(
        "The firm's tax number with its label, e.g. VAT number: GB123456789 (empty if none)"
    ),
}

# The client's account page, on the invoice's site: in the invoice email and every reminder.
ACCOUNT_LINK_FIELD = _(
    "The client's private account link: every open invoice and those paid in the last 12 months, with receipts"
)

# Each template's documented merge fields; nothing else is substituted, so a template cannot reach
# anything the firm did not mean to send.
MERGE_FIELDS: dict[str, dict[str, StrOrPromise]] = {
    "payment-recorded": {
        "invoice_number": _("The invoice number"),
        "amount": _("The amount paid, formatted with its currency"),
        "balance": _("The balance still due after this payment"),
        "status": _("The invoice's status: Paid or Partially paid"),
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "invoice_link": _("The invoice's private link"),
        "payment_date": _("The date the payment was received"),
        "payment_method": _("How it was paid, e.g. Card (online)"),
        "payment_card": _("The card it was paid with, e.g. Visa •••• 4242 (empty when none is known)"),
        "invoices": _(
            "Each invoice the payment settled, one per line, with what it received and its balance (one "
            "payment can pay several invoices from the client's account page)"
        ),
        **FIRM_MERGE_FIELDS,
    },
    "invoice-sent": {
        "invoice_number": _("The invoice number"),
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "total": _("The invoice's total, formatted with its currency"),
        "amount_due": _("The balance still due, formatted with its currency"),
        "issue_date": _("The invoice's issue date"),
        "due_date": _("The invoice's due date"),
        "invoice_link": _("The invoice's private link, where the client can pay"),
        "account_link": ACCOUNT_LINK_FIELD,
        **FIRM_MERGE_FIELDS,
    },
    # Each reminder step of Settings → Billing has its own template with these fields.
    "invoice-reminder": {
        "invoice_number": _("The invoice number"),
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "total": _("The invoice's total, formatted with its currency"),
        "amount_due": _("The balance still due, formatted with its currency"),
        "issue_date": _("The invoice's issue date"),
        "due_date": _("The invoice's due date"),
        "days_overdue": _("How many days ago the invoice was due (0 until it is overdue)"),
        "invoice_link": _("The invoice's private link, where the client can pay"),
        "account_link": ACCOUNT_LINK_FIELD,
        **FIRM_MERGE_FIELDS,
    },
    "stripe-refund": {
        "invoice_number": _("The invoice number"),
        "client_name": _("The client's name"),
        "amount": _("The amount refunded in Stripe, formatted with its currency"),
        "date": _("The date of the refund"),
        "status": _("Stripe's status of the refund, e.g. succeeded"),
        "reconciliation": _("Whether the refund was recorded automatically or awaits staff"),
        "review_link": _("The Billing → Reconciliation screen in the admin"),
        "firm_name": _("The firm's name"),
    },
    "stripe-dispute": {
        "invoice_number": _("The invoice number"),
        "client_name": _("The client's name"),
        "amount": _("The disputed amount, formatted with its currency"),
        "date": _("The date the dispute was opened"),
        "status": _("Stripe's status of the dispute, e.g. needs_response or lost"),
        "reason": _("The reason the bank gave"),
        "evidence_due": _("The date evidence is due in Stripe"),
        "review_link": _("The Billing → Reconciliation screen in the admin"),
        "firm_name": _("The firm's name"),
    },
    "stripe-unapplied": {
        "amount": _("The amount Stripe took, formatted with its currency"),
        "date": _("The date it was received"),
        "reason": _("Why it was not credited to an invoice"),
        "invoice_number": _("The invoice it named, if it named one of this site's"),
        "client_name": _("That invoice's client"),
        "review_link": _("The Billing → Reconciliation screen in the admin"),
        "firm_name": _("The firm's name"),
    },
    "subscription-setup": {
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "amount": _("The amount charged each cycle, formatted with its currency"),
        "interval": _("How often: monthly, quarterly or yearly"),
        "description": _("The subscription's description"),
        "setup_link": _("The link where the client enters the card"),
        **FIRM_MERGE_FIELDS,
    },
    "subscription-payment-failed": {
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "amount": _("The amount charged each cycle, formatted with its currency"),
        "interval": _("How often: monthly, quarterly or yearly"),
        "description": _("The subscription's description"),
        "update_card_link": _("The link to replace the card (empty when card updates are off)"),
        "subscription_link": _("The client's page for this subscription"),
        **FIRM_MERGE_FIELDS,
    },
    "subscription-payment-failed-firm": {
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "amount": _("The amount charged each cycle, formatted with its currency"),
        "interval": _("How often: monthly, quarterly or yearly"),
        "description": _("The subscription's description"),
        "admin_link": _("The subscription in the admin"),
    },
    "subscription-action-required": {
        "client_name": _("The client's name"),
        "contact_name": _("The primary contact's name"),
        "firm_name": _("The firm's name"),
        "amount": _("The amount charged each cycle, formatted with its currency"),
        "interval": _("How often: monthly, quarterly or yearly"),
        "description": _("The subscription's description"),
        "authenticate_link": _("Where the client confirms the payment"),
        "update_card_link": _("The link to replace the card (empty when card updates are off)"),
        **FIRM_MERGE_FIELDS,
    },
}


def render_merge(text: str, values: dict[str, str], html: bool = False) -> str:
    def replace(match: re.Match) -> str:
        value = str(values.get(match.group(1), ""))
        return escape(value) if html else value

    return MERGE_FIELD.sub(replace, text)


class MessageTemplate(models.Model):
    """A subject and bodies with ``{{ merge_field }}`` placeholders, limited to the fields that
    ``MERGE_FIELDS`` documents for ``merge_fields_key`` (the template's slug, or one key for a kind)."""

    subject = models.CharField(_("subject"), max_length=255)
    text_body = models.TextField(_("plain-text body"))
    html_body = models.TextField(
        _("HTML body"), blank=True, help_text=_("Optional; when blank, only the plain-text body is sent.")
    )

    class Meta:
        abstract = True

    merge_fields_key = ""

    @property
    def merge_fields(self) -> dict[str, StrOrPromise]:
        return MERGE_FIELDS.get(self.merge_fields_key, {})

    def clean(self) -> None:
        allowed = set(self.merge_fields)
        errors = {}
        for field in ("subject", "text_body", "html_body"):
            unknown = sorted(set(MERGE_FIELD.findall(getattr(self, field) or "")) - allowed)
            if unknown:
                errors[field] = _("Unknown merge field %(names)s.") % {
                    "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown)
                }
        if errors:
            raise ValidationError(errors)

    def render(self, values: dict[str, str]) -> tuple[str, str, str]:
        """Subject, plain text and HTML (empty when the template has none)."""
        subject = " ".join(render_merge(self.subject, values).split())
        return (
            subject,
            render_merge(self.text_body, values),
            render_merge(self.html_body, values, html=True) if self.html_body else "",
        )


class EmailTemplate(MessageTemplate):
    """An email the plugin sends, editable by the firm."""

    slug = models.SlugField(_("template"), max_length=50, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        HelpPanel(template="caseflow_wagtail/admin/email_merge_fields.html"),
        FieldPanel("subject"),
        FieldPanel("text_body"),
        FieldPanel("html_body"),
    ]

    class Meta:
        ordering = ["slug"]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self) -> str:
        return self.slug

    @property
    def merge_fields_key(self) -> str:  # type: ignore[override]
        return self.slug
