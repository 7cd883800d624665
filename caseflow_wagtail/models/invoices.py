"""Invoices are Wagtail pages, reached by the public only through an unguessable token link."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.signals import copy_for_translation_done

from .. import money, totals
from ..headers import make_private
from ..invoices.blocks import body_blocks
from ..invoices.forms import InvoiceCopyForm, InvoicePageForm
from ..invoices.panels import InvoiceBillingPanel
from ..invoices.presentation import invoice_context
from ..signals import invoice_terms_changing
from .invoice_folders import BillingPage, InvoiceIndexPage

TOKEN_BYTES = 24  # 192 random bits


def new_public_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def validate_currency(value: str) -> None:
    money.normalize_currency(value)


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


@receiver(copy_for_translation_done)
def drop_translated_invoices(sender, source_obj, target_obj, **kwargs):
    """An invoice is not translated content: a translation of the site never copies one.

    Wagtail copies a subtree page by page (the folder first, so it stays, empty and private); each invoice
    copy is removed as soon as it is made, so no second invoice with the same number and balance exists.
    """
    if isinstance(target_obj, InvoicePage):
        target_obj.delete()


class InvoicePageQuerySet(PageQuerySet):
    def with_status(self, status: str) -> InvoicePageQuerySet:
        """Filter by the derived status; the same rules as ``InvoicePage.status``."""
        if status == InvoiceStatus.DRAFT:
            return self.filter(live=False)
        issued = self.filter(live=True)
        if status == InvoiceStatus.VOID:
            return issued.filter(voided_at__isnull=False)
        issued = issued.filter(voided_at__isnull=True)
        if status == InvoiceStatus.PAID:
            return issued.filter(balance__lte=0)
        owing = issued.filter(balance__gt=0)
        today = timezone.localdate()
        if status == InvoiceStatus.OVERDUE:
            return owing.filter(due_date__lt=today)
        current = owing.filter(due_date__gte=today)
        paid_something = Q(amount_paid__gt=models.F("amount_refunded"))
        if status == InvoiceStatus.PARTIALLY_PAID:
            return current.filter(paid_something)
        if status == InvoiceStatus.UNPAID:
            return current.exclude(paid_something)
        raise ValueError(f"unknown invoice status {status!r}")

    def overpaid(self) -> InvoicePageQuerySet:
        """The same rule as ``InvoicePage.is_overpaid``: money received beyond what is owed."""
        return self.filter(balance__lt=0, amount_paid__gt=models.F("amount_refunded"))


InvoicePageManager = PageManager.from_queryset(InvoicePageQuerySet)

# Fields the ledger maintains: a revision never carries them back, whatever it was saved with.
LEDGER_FIELDS = ("amount_paid", "amount_refunded", "amount_credited", "balance")
# Fields that belong to the invoice as a whole rather than to one revision of its content.
PRESERVED_FIELDS = (*LEDGER_FIELDS, "public_token", "voided_at", "void_reason", "reminders_paused")


class InvoicePage(BillingPage, Page):
    """An invoice. Subclass it to add fields or change the template."""

    invoice_number = models.CharField(_("invoice number"), max_length=64)
    client = models.ForeignKey(
        "caseflow_wagtail.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="invoices"
    )
    issue_date = models.DateField(_("issue date"), default=datetime.date.today)
    due_date = models.DateField(_("due date"))
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_currency], help_text=_("ISO 4217 code, e.g. USD.")
    )
    notes = models.TextField(_("notes and terms"), blank=True, help_text=_("Shown on the invoice."))
    body = StreamField(
        body_blocks(),
        verbose_name=_("additional content"),
        blank=True,
    )

    public_token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True, editable=False)
    void_reason = models.CharField(_("reason for voiding"), max_length=255, blank=True, editable=False)
    # Paused and resumed from the Payments tab, at once, without a new revision.
    reminders_paused = models.BooleanField(_("reminders paused"), default=False, editable=False)

    # Derived from the lines on every save.
    subtotal = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    tax_total = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    total = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    # Maintained by the ledger.
    amount_paid = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    amount_refunded = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    amount_credited = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)
    balance = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0), editable=False)

    objects = InvoicePageManager()

    parent_page_types = ["caseflow_wagtail.InvoiceIndexPage"]
    subpage_types: list = []
    search_fields: list = []
    # A copy is a new invoice: its own link, nothing paid and not void (the defaults), totals from its lines.
    exclude_fields_in_copy = list(PRESERVED_FIELDS)
    template = "caseflow_wagtail/invoice_page.html"
    base_form_class = InvoicePageForm
    copy_form_class = InvoiceCopyForm

    content_panels = [
        MultiFieldPanel(
            [
                FieldPanel("invoice_number"),
                FieldPanel("client"),
                FieldRowPanel([FieldPanel("issue_date"), FieldPanel("due_date")]),
                FieldPanel("currency"),
            ],
            heading=_("Invoice"),
        ),
        InlinePanel("lines", heading=_("Line items"), label=_("Line item"), min_num=1),
        FieldPanel("notes"),
        FieldPanel("body"),
    ]
    billing_panels = [InvoiceBillingPanel(heading=_("Payments and balance"))]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Invoice")),
            ObjectList(billing_panels, heading=_("Payments")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.invoice_number or self.title

    # -- derived values -------------------------------------------------------------------------------

    @property
    def status(self) -> InvoiceStatus:
        if not self.live:
            return InvoiceStatus.DRAFT
        if self.voided_at:
            return InvoiceStatus.VOID
        if self.balance <= 0:
            return InvoiceStatus.PAID
        if self.due_date and self.due_date < timezone.localdate():
            return InvoiceStatus.OVERDUE
        if self.amount_paid > self.amount_refunded:
            return InvoiceStatus.PARTIALLY_PAID
        return InvoiceStatus.UNPAID

    @property
    def overpaid_amount(self) -> Decimal:
        """What was received beyond what is owed, and so can be refunded: never more than was paid and not
        yet refunded (credits forgive what is owed; they are no money to give back)."""
        return max(min(-self.balance, self.amount_paid - self.amount_refunded), Decimal(0))

    @property
    def is_overpaid(self) -> bool:
        return self.overpaid_amount > 0

    @property
    def is_payable(self) -> bool:
        """Whether a client could pay something on this invoice now."""
        return self.live and not self.voided_at and self.balance > 0

    def compute_totals(self) -> None:
        lines = list(self.lines.all())
        self.subtotal = sum((line.amount_in(self.currency) for line in lines), Decimal(0))
        self.tax_total = sum((line.tax_in(self.currency) for line in lines), Decimal(0))
        self.total = self.subtotal + self.tax_total
        self.balance = self.computed_balance()

    def computed_balance(self) -> Decimal:
        return self.total - self.amount_paid + self.amount_refunded - self.amount_credited

    def load_ledger_totals(self) -> None:
        """Read what the ledger has recorded for this invoice (the source of truth, not the cached row)."""
        # Summed here, not with SQL's SUM: SQLite adds decimals as floating point and hands back
        # Decimal("40.1000000000000"), which the amount fields then refuse; each stored amount comes back
        # exact, and so does their Decimal sum.
        self.amount_paid = sum(self.payments.values_list("amount", flat=True), Decimal(0))
        by_kind: dict[str, Decimal] = {}
        for kind, amount in self.adjustments.values_list("kind", "amount"):
            by_kind[kind] = by_kind.get(kind, Decimal(0)) + amount
        self.amount_refunded = by_kind.get("refund", Decimal(0))
        self.amount_credited = by_kind.get("credit", Decimal(0))

    # -- persistence ----------------------------------------------------------------------------------

    def full_clean(self, *args, **kwargs):
        self.title = str(_("Invoice %(number)s") % {"number": self.invoice_number})
        if not self.slug:
            # Declared here for the type checker: Wagtail's Page, which defines the field, has no types.
            self.slug: str = slugify(self.invoice_number) or "invoice"
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self.title = str(_("Invoice %(number)s") % {"number": self.invoice_number})
        if not self.slug:
            self.slug = slugify(self.invoice_number) or "invoice"
        super().minimal_clean()

    def clean(self):
        super().clean()
        errors = {}
        if self.currency:
            try:
                self.currency = money.normalize_currency(self.currency)
            except ValidationError as error:
                errors["currency"] = error
        if self.issue_date and self.due_date and self.due_date < self.issue_date:
            errors["due_date"] = ValidationError(_("The due date cannot be before the issue date."))
        if errors:
            raise ValidationError(errors)

    def has_ledger_entries(self) -> bool:
        return bool(self.pk) and (self.payments.exists() or self.adjustments.exists())

    def currency_change_refusal(self, new_currency: str, recorded_currency: str) -> str:
        """Why the currency may not become ``new_currency`` (empty when it may)."""
        if not new_currency or new_currency == recorded_currency or not self.has_ledger_entries():
            return ""
        return str(
            _(
                "Payments on this invoice are recorded in %(recorded)s, so its currency stays %(recorded)s. "
                "Set the currency back to %(recorded)s (and check the prices) to publish."
            )
            % {"recorded": recorded_currency}
        )

    def refuse_bad_totals(self) -> None:
        """Refuse lines whose amounts or total are too large to store exactly, or a total below the credits
        recorded (``amount_credited``, as last loaded from the ledger). See ``caseflow_wagtail.totals``."""
        if not self.currency:
            return  # refused by full_clean
        lines = list(self.lines.all())
        found = totals.refusals(lines, self.currency, self.amount_credited or Decimal(0))
        if found:
            raise ValidationError({"total": found.messages(lines)})

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None:
            # Revision bookkeeping: the content and the money on the row are unchanged.
            return super().save(*args, **kwargs)
        if self.pk:
            self._before_content_change()
        with transaction.atomic():
            if self.pk:
                # Serialise with the ledger so a payment recorded meanwhile is never overwritten.
                row = (
                    type(self).objects.select_for_update().filter(pk=self.pk).values_list("currency").first()
                )
                if row is not None:
                    # Checked again under the lock: a payment may have landed since the check above.
                    refusal = self.currency_change_refusal(self.currency, row[0])
                    if refusal:
                        raise ValidationError({"currency": refusal})
                self.load_ledger_totals()
            # Under the lock too: a credit may have been recorded since the editor's form was checked.
            self.refuse_bad_totals()
            self.compute_totals()
            result = super().save(*args, **kwargs)
        parent = self.get_parent()
        if parent is not None and isinstance(parent.specific, InvoiceIndexPage):
            parent.specific.ensure_private()
        return result

    def _before_content_change(self) -> None:
        """Whatever publishes a revision (the editor, a schedule, a workflow): once money is recorded the
        currency is fixed, and a new currency or total first closes the payment pages still open on Stripe
        for the old one (``checkout`` does, on the ``invoice_terms_changing`` signal)."""
        previous = type(self).objects.filter(pk=self.pk).values_list("currency", "total").first()
        if previous is None:
            return
        refusal = self.currency_change_refusal(self.currency, previous[0])
        if refusal:
            raise ValidationError({"currency": refusal})
        self.load_ledger_totals()
        # Before the open payment pages are closed: a refused change must leave them open.
        self.refuse_bad_totals()
        self.compute_totals()
        if (self.currency, self.total) == (previous[0], previous[1]):
            return
        invoice_terms_changing.send(sender=type(self), invoice=self)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in PRESERVED_FIELDS:
            setattr(obj, name, getattr(self, name))
        # A draft revision was saved without ``save()``, so its stored totals predate its own lines.
        obj.compute_totals()
        return obj

    # -- the public link ------------------------------------------------------------------------------

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request=request)
        if parts is None:
            return None
        site_id, root_url, _page_path = parts
        try:
            path = reverse("caseflow_wagtail:invoice", kwargs={"token": self.public_token})
        except NoReverseMatch:
            return (site_id, None, None)
        return (site_id, root_url, path)

    def get_sitemap_urls(self, request=None):
        return []

    def regenerate_public_token(self) -> str:
        """Give the invoice a new link; the old one stops working at once."""
        self.public_token = new_public_token()
        type(self).objects.filter(pk=self.pk).update(public_token=self.public_token)
        return self.public_token

    def serve(self, request, *args, **kwargs):
        return make_private(super().serve(request, *args, **kwargs))

    def serve_preview(self, request, mode_name):
        # A preview shows the editor's unsaved lines, whose totals no save has computed yet.
        self.compute_totals()
        return super().serve_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(invoice_context(self, request))
        return context
