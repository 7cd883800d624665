from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


# The ignore below: InvoicePage (related_name "invoices") derives from Wagtail's Page, which has no types,
# so the Django plugin cannot see its manager and reports it missing; the reverse relation works as usual.
class Client(index.Indexed, models.Model):  # type: ignore[django-manager-missing]
    """A person or organisation the firm bills."""

    name = models.CharField(_("name"), max_length=255)
    contact_name = models.CharField(_("primary contact name"), max_length=255, blank=True)
    contact_email = models.EmailField(
        _("primary contact email"),
        blank=True,
        help_text=_(
            "Receipts, retainer emails, the invoices staff send with Send invoice (each with its "
            "payment link) and payment reminders go here."
        ),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Internal; never shown to the client."))
    send_reminders = models.BooleanField(
        _("send payment reminders"),
        default=True,
        help_text=_(
            "Untick to stop every payment reminder to this client; invoices can still be sent by hand."
        ),
    )
    stripe_customer_id = models.CharField(
        _("Stripe customer id"), max_length=255, blank=True, editable=False, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_email"), FieldPanel("phone")],
            heading=_("Primary contact"),
        ),
        FieldPanel("billing_address"),
        FieldPanel("send_reminders"),
        FieldPanel("notes"),
    ]

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("contact_name"),
        index.SearchField("contact_email"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name
