"""The Billing menu: invoices, clients, payments and adjustments in the Wagtail admin.

Payments and adjustments are a ledger: the admin lists, inspects, exports and records them, and never edits
or deletes one, so those views are not routed at all and their permissions are not offered to groups.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import permissions, policies
from .filters import AdjustmentFilterSet, InvoiceFilterSet, PaymentFilterSet
from .models import Adjustment, Client, EmailTemplate, InvoicePage, Payment, Subscription
from .views import base, invoices, ledger_lists, recording, subscription_actions, subscriptions
from .views.reconciliation import ReconciliationViewSet, WebhookHealthViewSet
from .views.reminders import RemindersViewSet

# Page permissions that make the invoice listing useful to someone.
INVOICE_LISTING_PERMISSIONS = {"add", "change", "publish"}


class InvoiceViewSet(PageListingViewSet):
    """A flat listing of every invoice page, whatever folder it is in."""

    model = InvoicePage
    name = "caseflow_invoices"
    url_prefix = "billing/invoices"
    icon = "doc-full"
    menu_label = _("Invoices")
    menu_name = "caseflow-invoices"
    index_view_class = invoices.InvoiceIndexView
    filterset_class = InvoiceFilterSet
    # The index view defines its own billing columns.
    columns = PageListingViewSet.UNDEFINED
    ordering = "-issue_date"
    export_filename = "invoices"

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        policy = PagePermissionPolicy()

        def is_shown(_item: MenuItem, request) -> bool:
            return permissions.has_billing_permission(request.user) and policy.user_has_any_permission(
                request.user, INVOICE_LISTING_PERMISSIONS
            )

        return type("InvoicesMenuItem", (MenuItem,), {"is_shown": is_shown})


class ClientChooserViewSet(SnippetChooserViewSet):
    """The client chooser lists every client's name: only for users with the billing permission."""

    choose_view_class = base.billing_only(SnippetChooserViewSet.choose_view_class)
    choose_results_view_class = base.billing_only(SnippetChooserViewSet.choose_results_view_class)
    chosen_view_class = base.billing_only(SnippetChooserViewSet.chosen_view_class)
    chosen_multiple_view_class = base.billing_only(SnippetChooserViewSet.chosen_multiple_view_class)
    create_view_class = base.billing_only(SnippetChooserViewSet.create_view_class)


class ClientViewSet(SnippetViewSet):
    model = Client
    chooser_viewset_class = ClientChooserViewSet
    icon = "group"
    menu_label = _("Clients")
    menu_name = "caseflow-clients"
    # Listed in the Billing menu, so the Snippets menu need not list it again.
    menu_item_is_registered = True
    list_display = ["name", "contact_name", "contact_email", "phone"]
    list_per_page = 50
    ordering = "name"
    index_view_class = base.forbidding(SnippetViewSet.index_view_class)
    add_view_class = base.forbidding(SnippetViewSet.add_view_class)
    edit_view_class = base.forbidding(SnippetViewSet.edit_view_class)
    delete_view_class = base.forbidding(SnippetViewSet.delete_view_class)


class OfferedPermissionsViewSet(ModelViewSet):
    """Groups are offered only the permissions for ``offered_actions``: those for views that are not routed
    would grant nothing."""

    offered_actions: tuple[str, ...] = ()

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        codenames = [get_permission_codename(action, self.model_opts) for action in self.offered_actions]
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), codename__in=codenames
        )


class NoEditViewSet(OfferedPermissionsViewSet):
    """Records no form edits (a ledger entry never changes, a retainer only through its own actions): no
    edit, delete, history or usage views, so no links to them either."""

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def listing_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class LedgerViewSet(NoEditViewSet):
    """Index, inspect and a record form; no edit, copy, delete, history or usage views."""

    offered_actions = ("add", "view")
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    # Ledger entries are not in the search index; search the database.
    search_backend_name = None
    list_per_page = 50
    inspect_view_class = ledger_lists.LedgerInspectView

    def get_add_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # The record views build their own forms and hand them to the ledger; no model form is needed.
        return kwargs

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            *self.listing_urlpatterns(),
            path("new/", self.add_view, name="add"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self) -> type[ModelAdminURLFinder]:
        # Entries are never edited, so "the admin page for this entry" is its inspect view.
        return type(
            "_LedgerURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")}
        )


class PaymentViewSet(LedgerViewSet):
    model = Payment
    name = "caseflow_payments"
    url_prefix = "billing/payments"
    icon = "success"
    menu_label = _("Payments")
    menu_name = "caseflow-payments"
    index_view_class = ledger_lists.PaymentIndexView
    add_view_class = recording.RecordPaymentView
    inspect_view_class = ledger_lists.PaymentInspectView
    filterset_class = PaymentFilterSet
    search_fields = ["reference", "invoice__invoice_number", "invoice__client__name"]
    ordering = ["-received_on", "-created_at"]
    export_filename = "payments"
    list_export = [
        "received_on",
        "invoice.invoice_number",
        "invoice.client.name",
        "amount",
        "currency",
        "get_method_display",
        "display_card",
        "get_source_display",
        "reference",
        "note",
        "stripe_payment_intent_id",
        "fee",
        "net",
        "fee_currency_code",
        "exchange_rate",
        "recorded_by",
        "created_at",
    ]
    export_headings = {
        "received_on": _("Received on"),
        "invoice.invoice_number": _("Invoice"),
        "invoice.client.name": _("Client"),
        "amount": _("Amount"),
        "currency": _("Currency"),
        "get_method_display": _("Method"),
        "display_card": _("Card"),
        "get_source_display": _("Recorded from"),
        "reference": _("Reference"),
        "note": _("Note"),
        "stripe_payment_intent_id": _("Stripe PaymentIntent"),
        "fee": _("Stripe fee"),
        "net": _("Net deposited"),
        # Fee and net are in the settlement currency, which need not be the payment's.
        "fee_currency_code": _("Fee currency"),
        "exchange_rate": _("Exchange rate"),
        "recorded_by": _("Recorded by"),
        "created_at": _("Recorded at"),
    }


class AdjustmentViewSet(LedgerViewSet):
    model = Adjustment
    name = "caseflow_adjustments"
    url_prefix = "billing/adjustments"
    icon = "rotate"
    menu_label = _("Adjustments")
    menu_name = "caseflow-adjustments"
    index_view_class = ledger_lists.AdjustmentIndexView
    add_view_class = recording.RecordAdjustmentView
    filterset_class = AdjustmentFilterSet
    search_fields = ["reason", "invoice__invoice_number", "invoice__client__name"]
    ordering = ["-created_at"]
    export_filename = "billing-adjustments"
    list_export = [
        "created_at",
        "invoice.invoice_number",
        "invoice.client.name",
        "get_kind_display",
        "amount",
        "currency",
        "reason",
        "stripe_refund_id",
        "recorded_by",
    ]
    export_headings = {
        "created_at": _("Recorded at"),
        "invoice.invoice_number": _("Invoice"),
        "invoice.client.name": _("Client"),
        "get_kind_display": _("Kind"),
        "amount": _("Amount"),
        "currency": _("Currency"),
        "reason": _("Reason"),
        "stripe_refund_id": _("Stripe refund"),
        "recorded_by": _("Recorded by"),
    }


class EmailTemplateViewSet(OfferedPermissionsViewSet, SnippetViewSet):
    """The emails the plugin sends, edited by the firm; each exists once, so none is added or deleted."""

    model = EmailTemplate
    offered_actions = ("change", "view")
    icon = "mail"
    menu_label = _("Email templates")
    menu_name = "caseflow-email-templates"
    menu_item_is_registered = True
    list_display = ["slug", "subject", "updated_at"]
    index_view_class = base.forbidding(SnippetViewSet.index_view_class)
    edit_view_class = base.forbidding(SnippetViewSet.edit_view_class)

    copy_view_enabled = False

    @cached_property
    def permission_policy(self) -> ModelPermissionPolicy:
        return policies.policy_for(self.model) or super().permission_policy


class SubscriptionViewSet(NoEditViewSet):
    model = Subscription
    offered_actions = ("add", "change", "view")
    name = "caseflow_subscriptions"
    url_prefix = "billing/subscriptions"
    icon = "calendar-check"
    menu_label = _("Subscriptions")
    menu_name = "caseflow-subscriptions"
    index_view_class = subscriptions.SubscriptionIndexView
    filterset_class = subscriptions.SubscriptionFilterSet
    search_backend_name = None
    search_fields = ["client__name", "description"]
    ordering = ["-created_at"]
    list_per_page = 50
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            *self.listing_urlpatterns(),
            path("new/", subscriptions.SubscriptionCreateView.as_view(), name="add"),
            path("<int:pk>/", subscriptions.SubscriptionDetailView.as_view(), name="inspect"),
            path("<int:pk>/cancel/", subscription_actions.CancelSubscriptionView.as_view(), name="cancel"),
            path("<int:pk>/keep/", subscription_actions.UndoCancelView.as_view(), name="undo_cancel"),
            path("<int:pk>/send-setup/", subscription_actions.SendSetupView.as_view(), name="send_setup"),
        ]


class BillingViewSetGroup(ViewSetGroup):
    """One "Billing" menu; later features (subscriptions …) add their viewsets to ``items``."""

    menu_label = _("Billing")
    menu_name = "billing"
    menu_icon = "clipboard-list"
    menu_order = 250
    items = (
        InvoiceViewSet,
        ClientViewSet,
        PaymentViewSet,
        AdjustmentViewSet,
        SubscriptionViewSet,
        RemindersViewSet,
        EmailTemplateViewSet,
        # Reconciliation with Stripe: refunds and disputes, and whether webhooks arrive.
        ReconciliationViewSet,
        WebhookHealthViewSet,
    )
