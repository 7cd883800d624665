"""Billing → Invoices: the listing, adding an invoice, and the invoice actions (a new client link, void,
restore), each in Wagtail's audit log."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.ui.tables.pages import BulkActionsColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.log_actions import log
from wagtail.models import Page, PageQuerySet

from .. import audit, money
from ..exceptions import CaseflowError
from ..models import (
    InvoiceIndexPage,
    InvoicePage,
)
from ..payments import checkout
from ..permissions import has_billing_permission
from .base import (
    BalanceColumn,
    BillingOnlyMixin,
    ForbiddenMixin,
    InvoiceStatusColumn,
    MoneyColumn,
    StripeModeMixin,
    page_edit_url,
    site_for,
)

logger = logging.getLogger(__name__)


# -- audit log ------------------------------------------------------------------------------------------


# -- Invoices listing -----------------------------------------------------------------------------------


class InvoiceIndexView(BillingOnlyMixin, StripeModeMixin, PageIndexView):
    """All invoice pages, with billing columns; each row leads into Wagtail's page editor."""

    page_title = _("Invoices")
    default_ordering = "-issue_date"
    template_name = "caseflow_wagtail/admin/invoice_index.html"

    @cached_property
    def columns(self) -> list[Column]:
        return [
            # Checkboxes for the invoice bulk actions (Send); Wagtail's page actions are not offered here.
            BulkActionsColumn("bulk_actions"),
            TitleColumn(
                "invoice_number",
                label=_("Number"),
                sort_key="invoice_number",
                get_url=page_edit_url,
            ),
            Column("client", label=_("Client"), accessor="client.name", sort_key="client__name"),
            Column("issue_date", label=_("Issue date"), sort_key="issue_date"),
            Column("due_date", label=_("Due date"), sort_key="due_date"),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            BalanceColumn("balance", label=_("Balance"), sort_key="balance"),
            InvoiceStatusColumn("status", label=_("Status")),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The bulk-action footer lists the actions registered for this model, not for every page.
        context["model_opts"] = InvoicePage._meta
        return context

    def annotate_queryset(self, pages: PageQuerySet) -> PageQuerySet:
        # The columns read only InvoicePage fields, so the base rows are enough: no per-type queries.
        return pages.select_related("client").defer_streamfields()

    def search_queryset(self, queryset: QuerySet) -> QuerySet:
        # Invoices are kept out of the search index on purpose; match number and client in the database.
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(Q(invoice_number__icontains=query) | Q(client__name__icontains=query))

    def get_ordering(self) -> str:
        ordering = self.request.GET.get("ordering", self.default_ordering)
        if ordering not in self.get_valid_orderings():
            ordering = self.default_ordering
        return ordering

    def order_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(self.ordering, "-pk")

    def get_add_url(self) -> str | None:
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse("caseflow_wagtail_admin:add_invoice")
        return None

    @cached_property
    def add_item_label(self) -> str:
        return gettext("Add invoice")

    @cached_property
    def verbose_name(self) -> str:
        return InvoicePage._meta.verbose_name

    @cached_property
    def verbose_name_plural(self) -> str:
        return InvoicePage._meta.verbose_name_plural


def unique_child_slug(parent: Page, slug: str) -> str:
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, suffix = slug, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{slug}-{suffix}"
    return candidate


class AddInvoiceView(BillingOnlyMixin, View):
    """Send the editor to Wagtail's page-create view under the site's invoices folder.

    The folder is created under the site's root page the first time, so a new site needs no set-up.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        site = site_for(request)
        if site is None:
            messages.error(request, gettext("Set up a Wagtail site before adding invoices."))
            return redirect("wagtailadmin_home")
        root = site.root_page
        index = InvoiceIndexPage.objects.descendant_of(root).order_by("path").first()
        if index is None:
            if not root.permissions_for_user(request.user).can_add_subpage():
                raise PermissionDenied
            index = InvoiceIndexPage(title=gettext("Invoices"), slug=unique_child_slug(root, "invoices"))
            root.add_child(instance=index)
            log(instance=index, action="wagtail.create", user=request.user)
        if not index.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        creatable = [
            model
            for model in index.specific_class.allowed_subpage_models()
            if model.is_creatable and model.can_create_at(index)
        ]
        if len(creatable) == 1:
            model = creatable[0]
            return redirect("wagtailadmin_pages:add", model._meta.app_label, model._meta.model_name, index.pk)
        return redirect("wagtailadmin_pages:add_subpage", index.pk)


# -- invoice actions: regenerate the link, void, restore ------------------------------------------------


class InvoiceActionView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm, then act on one invoice. Only billing staff who may edit and publish the page may act."""

    template_name = "caseflow_wagtail/admin/confirm_action.html"
    header_icon = "doc-full"
    form_class: type[forms.Form] = forms.Form
    confirm_label = _("Confirm")
    danger = False

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.invoice = get_object_or_404(InvoicePage, pk=kwargs["invoice_id"])

    def check_permissions(self, request: HttpRequest) -> None:
        # The invoice's page permissions already require the billing permission; asked again here so that
        # no page permission alone (a Moderator's) ever voids an invoice or changes its link.
        permissions = self.invoice.permissions_for_user(request.user)
        if not (
            has_billing_permission(request.user) and permissions.can_edit() and permissions.can_publish()
        ):
            raise PermissionDenied

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refused() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refused() or super().post(request, *args, **kwargs)

    def refused(self) -> HttpResponse | None:
        refusal = self.refusal()
        if not refusal:
            return None
        messages.error(self.request, refusal)
        return redirect(page_edit_url(self.invoice))

    def refusal(self) -> str:
        """Why this action cannot apply to the invoice now; empty when it can."""
        return ""

    def get_page_subtitle(self) -> str:
        return str(self.invoice)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_invoices:index"), "label": gettext("Invoices")},
            {"url": page_edit_url(self.invoice), "label": str(self.invoice)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.invoice,
            action_url=self.request.get_full_path(),
            cancel_url=page_edit_url(self.invoice),
            confirm_label=self.confirm_label,
            danger=self.danger,
            explanation=self.explanation(),
        )
        return context

    def explanation(self) -> list[str]:
        return []

    def form_valid(self, form: forms.Form) -> HttpResponse:
        # Each action view defines act(form): what confirming does.
        self.act(form)
        return redirect(page_edit_url(self.invoice))


class RegenerateLinkView(InvoiceActionView):
    page_title = _("Regenerate the client's link")
    confirm_label = _("Yes, regenerate the link")
    danger = True

    def explanation(self) -> list[str]:
        return [
            gettext("The invoice gets a new link and the current one stops working at once."),
            gettext("Anyone you sent the current link to will need the new one."),
        ]

    def act(self, form: forms.Form) -> None:
        self.invoice.regenerate_public_token()
        log(instance=self.invoice, action=audit.LINK_REGENERATED, user=self.request.user)
        messages.success(
            self.request,
            gettext("Invoice %(number)s has a new link; the old one no longer works.")
            % {"number": self.invoice.invoice_number},
        )


class VoidInvoiceForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=255,
        help_text=_("Kept with the invoice and in its history."),
    )


class VoidInvoiceView(InvoiceActionView):
    page_title = _("Void invoice")
    form_class = VoidInvoiceForm
    confirm_label = _("Yes, void the invoice")
    danger = True

    def refusal(self) -> str:
        if not self.invoice.live:
            return gettext("Only a published invoice can be voided; delete a draft instead.")
        if self.invoice.voided_at:
            return gettext("This invoice is already void.")
        return ""

    def explanation(self) -> list[str]:
        lines = [
            gettext("A void invoice cannot be paid and its status shows as Void; it can be restored later.")
        ]
        if self.invoice.amount_paid > self.invoice.amount_refunded:
            lines.append(
                gettext(
                    "%(amount)s has been received against this invoice. Voiding does not refund it: "
                    "record a refund separately."
                )
                % {
                    "amount": money.format_money(
                        self.invoice.amount_paid - self.invoice.amount_refunded, self.invoice.currency
                    )
                }
            )
        return lines

    def act(self, form: forms.Form) -> None:
        reason = form.cleaned_data["reason"].strip()
        # A queryset update: voiding is not a content edit and must not create a revision or republish.
        InvoicePage.objects.filter(pk=self.invoice.pk).update(voided_at=timezone.now(), void_reason=reason)
        try:
            # After the void is written, so a click on Pay Now meanwhile cannot open a fresh page.
            checkout.expire_open_sessions(self.invoice)
        except CaseflowError as error:
            logger.warning(
                "Open Checkout Sessions of void invoice %s not expired: %s", self.invoice.pk, error
            )
            messages.warning(
                self.request,
                gettext(
                    "Stripe could not be reached to close the client's open payment page. If they pay on it, "
                    "the payment is kept for refund under Billing → Reconciliation."
                ),
            )
        log(
            instance=self.invoice,
            action=audit.INVOICE_VOIDED,
            user=self.request.user,
            data={"reason": reason},
        )
        messages.success(
            self.request, gettext("Invoice %(number)s is void.") % {"number": self.invoice.invoice_number}
        )


class RestoreInvoiceView(InvoiceActionView):
    page_title = _("Restore invoice")
    confirm_label = _("Yes, restore the invoice")

    def refusal(self) -> str:
        if not self.invoice.voided_at:
            return gettext("This invoice is not void.")
        return ""

    def explanation(self) -> list[str]:
        return [
            gettext("The invoice was voided: %(reason)s") % {"reason": self.invoice.void_reason or "—"},
            gettext("Restoring it makes it payable again with its current balance."),
        ]

    def act(self, form: forms.Form) -> None:
        InvoicePage.objects.filter(pk=self.invoice.pk).update(voided_at=None, void_reason="")
        log(instance=self.invoice, action=audit.INVOICE_RESTORED, user=self.request.user)
        messages.success(
            self.request,
            gettext("Invoice %(number)s is restored.") % {"number": self.invoice.invoice_number},
        )
