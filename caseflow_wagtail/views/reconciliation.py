"""Billing → Reconciliation and Billing → Webhook health, and the dashboard panel.

Reconciliation lists what Stripe did to recorded payments (refunds, disputes) and the payments set aside,
each with its action (in ``reconciliation_actions``, confirmed before anything is recorded); Webhook health
shows whether Stripe's events arrive and are processed, retries a failed one, and runs "Sync from Stripe".
Actions are POSTs; money moves only through the reconciliation service and the ledger.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .. import reconciliation, stripe_client
from ..exceptions import CaseflowError
from ..models import (
    EventOutcome,
    PaymentGatewaySettings,
    StripeEvent,
    StripeRefund,
)
from ..payments import unapplied
from ..permissions import may_reconcile
from ..reconciliation import recovery
from ..webhooks.processing import Outcome, process_event
from .base import ForbiddenMixin, StripeModeMixin, menu_item_shown_if, site_for
from .gateway import may_change_gateway
from .reconciliation_actions import (
    ApplyUnappliedView,
    ReconcileRefundView,
    RecordDisputeLossView,
    RefundUnappliedView,
)

# -- reconciliation ---------------------------------------------------------------------------------------


class ReconciliationIndexView(ForbiddenMixin, StripeModeMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "caseflow_wagtail/admin/reconciliation/index.html"
    page_title = _("Reconciliation")
    header_icon = "rotate"

    def check_permissions(self, request: HttpRequest) -> None:
        if not may_reconcile(request.user):
            raise PermissionDenied

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            refunds=list(reconciliation.unreconciled_refunds()),
            open_disputes=list(reconciliation.open_disputes()),
            lost_disputes=list(reconciliation.lost_disputes_awaiting_adjustment()),
            reconciled=list(
                StripeRefund.objects.filter(adjustment__isnull=False)
                .select_related("invoice", "adjustment", "reconciled_by")
                .order_by("-reconciled_at")[:20]
            ),
            unapplied=list(unapplied.needing_review()),
            automatic=reconciliation.record_automatically(),
            here=self.request.get_full_path(),
        )
        return context


# -- webhook health ---------------------------------------------------------------------------------------


class GatewayPermissionMixin(ForbiddenMixin):
    """Only someone who may change the site's Payment Gateways sees and acts on its webhook."""

    def check_permissions(self, request: HttpRequest) -> None:
        self.site = site_for(request)
        if self.site is None or not may_change_gateway(request.user, self.site):
            raise PermissionDenied


def endpoint_status(gateway: PaymentGatewaySettings) -> str:
    """``enabled``, ``disabled``, ``missing``, ``not set up`` or ``unreachable`` (Stripe could not say)."""
    if not gateway.webhook_endpoint_id:
        return "not set up"
    try:
        return stripe_client.for_site(gateway).webhook_endpoint_status(gateway.webhook_endpoint_id)
    except CaseflowError:
        return "unreachable"


ENDPOINT_LABELS = {
    "enabled": _("Enabled in Stripe"),
    "disabled": _("Disabled in Stripe: events are not being sent"),
    "missing": _("Deleted in Stripe: set up the webhook again"),
    "not set up": _("Not set up: use “Set up webhook” in Payment Gateways"),
    "unreachable": _("Unknown: Stripe could not be reached"),
}


class WebhookHealthView(GatewayPermissionMixin, StripeModeMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "caseflow_wagtail/admin/reconciliation/health.html"
    page_title = _("Webhook health")
    header_icon = "pick"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        gateway = PaymentGatewaySettings.for_site(self.site)
        status = endpoint_status(gateway)
        health = reconciliation.webhook_health(self.site, endpoint_status=status)
        context.update(
            health=health,
            endpoint_label=ENDPOINT_LABELS.get(status, status),
            endpoint_ok=status == "enabled",
            attention=reconciliation.needs_attention(health),
            last_sync_lines=recovery.SyncReport(**health["last_sync"].report).lines()
            if health["last_sync"] and health["last_sync"].report
            else [],
        )
        return context


class RetryEventView(GatewayPermissionMixin, View):
    """Run a failed event through the webhook's dispatcher again, once its cause is fixed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, event_id: int) -> HttpResponse:
        row = get_object_or_404(StripeEvent, pk=event_id, site=self.site)
        if row.outcome != EventOutcome.FAILED:
            messages.info(request, gettext("That event was already processed."))
            return redirect("caseflow_webhook_health:index")
        outcome = process_event(self.site, PaymentGatewaySettings.for_site(self.site), row.payload)
        row.refresh_from_db()
        if outcome not in (Outcome.FAILED, Outcome.RETRY):
            messages.success(request, gettext("Event %(id)s processed.") % {"id": row.stripe_id})
        else:
            messages.error(
                request,
                gettext("Event %(id)s failed again: %(error)s") % {"id": row.stripe_id, "error": row.error},
            )
        return redirect("caseflow_webhook_health:index")


class SyncFromStripeView(GatewayPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        report = recovery.sync(self.site)
        notify = messages.success if report.ok else messages.warning
        notify(request, gettext("Sync from Stripe finished. ") + " ".join(report.lines()))
        return redirect("caseflow_webhook_health:index")


# -- the dashboard panel --------------------------------------------------------------------------------


class WebhookHealthPanel(Component):
    name = "caseflow_webhook_health"
    template_name = "caseflow_wagtail/admin/reconciliation/dashboard_panel.html"
    order = 90

    def __init__(self, request: HttpRequest, site) -> None:
        self.request = request
        self.site = site

    def get_context_data(self, parent_context: dict | None = None) -> dict[str, Any]:
        # No Stripe call here: the dashboard must stay fast even when Stripe is slow.
        health = reconciliation.webhook_health(self.site)
        return {
            "health": health,
            "attention": reconciliation.needs_attention(health),
            "unreconciled": reconciliation.unreconciled_refunds().count(),
            "open_disputes": reconciliation.open_disputes().count(),
            "health_url": reverse("caseflow_webhook_health:index"),
            "reconciliation_url": reverse("caseflow_reconciliation:index")
            if may_reconcile(self.request.user)
            else "",
        }


def add_dashboard_panel(request: HttpRequest, panels: list) -> None:
    site = site_for(request)
    if site is not None and may_change_gateway(request.user, site):
        panels.append(WebhookHealthPanel(request, site))


# -- menu entries -------------------------------------------------------------------------------------------


class ReconciliationViewSet(ViewSet):
    name = "caseflow_reconciliation"
    url_prefix = "billing/reconciliation"
    icon = "rotate"
    menu_label = _("Reconciliation")
    menu_name = "caseflow-reconciliation"

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return menu_item_shown_if(lambda request: may_reconcile(request.user))

    def get_urlpatterns(self) -> list:
        return [
            path("", ReconciliationIndexView.as_view(), name="index"),
            path("refund/<int:refund_id>/", ReconcileRefundView.as_view(), name="reconcile_refund"),
            path("dispute/<int:dispute_id>/", RecordDisputeLossView.as_view(), name="record_dispute_loss"),
            path("unapplied/<int:unapplied_id>/apply/", ApplyUnappliedView.as_view(), name="apply_unapplied"),
            path(
                "unapplied/<int:unapplied_id>/refunded/",
                RefundUnappliedView.as_view(),
                name="refund_unapplied",
            ),
        ]


class WebhookHealthViewSet(ViewSet):
    name = "caseflow_webhook_health"
    url_prefix = "billing/webhook-health"
    icon = "pick"
    menu_label = _("Webhook health")
    menu_name = "caseflow-webhook-health"

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return menu_item_shown_if(lambda request: may_change_gateway(request.user, site_for(request)))

    def get_urlpatterns(self) -> list:
        return [
            path("", WebhookHealthView.as_view(), name="index"),
            path("sync/", SyncFromStripeView.as_view(), name="sync"),
            path("event/<int:event_id>/retry/", RetryEventView.as_view(), name="retry_event"),
        ]
