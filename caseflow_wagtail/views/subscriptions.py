"""Billing → Subscriptions: the listing, adding a retainer and its page; the actions are in
``subscription_actions``, the client's own pages in ``subscription_pages``."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView
from wagtail.models import ModelLogEntry, Site

from .. import permissions, subscriptions
from ..models import (
    Client,
    PaymentGatewaySettings,
    Subscription,
    SubscriptionInterval,
    SubscriptionStatus,
)
from ..stripe_api import StripeFailure
from .base import ForbiddenMixin, MoneyColumn, StripeModeMixin, UpcomingDateColumn, site_for
from .fields import AmountField

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    # What SubscriptionMixin is mixed into, so that its breadcrumbs and page title check.
    from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin as _AdminView
else:
    _AdminView = object


VIEW = permissions.VIEW_SUBSCRIPTION
ADD = permissions.ADD_SUBSCRIPTION
CHANGE = permissions.CHANGE_SUBSCRIPTION


def detail_url(subscription: Subscription) -> str:
    return reverse("caseflow_subscriptions:inspect", args=[subscription.pk])


# -- listing --------------------------------------------------------------------------------------------


class SubscriptionFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=SubscriptionStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=Client.objects.all())

    class Meta:
        model = Subscription
        fields: list[str] = []


class SubscriptionIndexView(ForbiddenMixin, StripeModeMixin, IndexView):
    """Every column reads the subscription row or its client: one query for the page, however many rows."""

    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().select_related("client")

    @cached_property
    def columns(self) -> list[Column]:
        return [
            TitleColumn(
                "client",
                label=_("Client"),
                accessor="client.name",
                sort_key="client__name",
                get_url=detail_url,
            ),
            MoneyColumn("amount", label=_("Amount"), sort_key="amount"),
            Column("currency", label=_("Currency"), sort_key="currency"),
            Column("interval", label=_("Interval"), accessor="get_interval_display", sort_key="interval"),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            UpcomingDateColumn("next_charge_at", label=_("Next charge"), sort_key="current_period_end"),
            Column("card", label=_("Card"), accessor="card_display"),
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.results_only:
            past_due = Subscription.objects.filter(status=SubscriptionStatus.PAST_DUE).count()
            if past_due:
                messages.warning(
                    request,
                    gettext(
                        "%(count)s subscription(s) are Past Due: a card charge failed. Stripe retries "
                        "and the clients were emailed a link to update their card."
                    )
                    % {"count": past_due},
                )
        return super().get(request, *args, **kwargs)

    @cached_property
    def add_item_label(self) -> str:
        return gettext("Add subscription")


# -- create ---------------------------------------------------------------------------------------------


class SubscriptionForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.order_by("name"))
    amount = AmountField(label=_("Amount"), help_text=_("Charged every cycle."))
    currency = forms.ChoiceField(label=_("Currency"))
    interval = forms.ChoiceField(label=_("Interval"), choices=SubscriptionInterval.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=255,
        help_text=_("Sent to Stripe and shown to the client, e.g. “Monthly retainer”. Name no matter."),
    )
    send_email = forms.BooleanField(
        label=_("Email the setup link to the client's primary contact"), required=False, initial=True
    )

    def __init__(self, *args: Any, gateway: PaymentGatewaySettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateway = gateway
        cast(forms.ChoiceField, self.fields["currency"]).choices = [
            (code, code) for code in gateway.accepted_currencies()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        amount: Decimal | None = cleaned.get("amount")
        currency = cleaned.get("currency")
        if amount is not None and currency:
            refusal = subscriptions.validate_terms(amount, currency, self.gateway)
            if refusal:
                self.add_error("amount", refusal)
        client = cleaned.get("client")
        if client is not None and not client.contact_email and cleaned.get("send_email"):
            self.add_error("send_email", gettext("This client has no primary contact email to send to."))
        return cleaned


class SubscriptionCreateView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "caseflow_wagtail/admin/subscriptions/form.html"
    form_class = SubscriptionForm
    page_title = _("Add subscription")
    header_icon = "calendar-check"

    def check_permissions(self, request: HttpRequest) -> None:
        if not permissions.may(request.user, ADD):
            raise PermissionDenied

    @cached_property
    def site(self) -> Site | None:
        return site_for(self.request)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["gateway"] = PaymentGatewaySettings.for_site(self.site)
        return kwargs

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_subscriptions:index"), "label": gettext("Subscriptions")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action_url"] = self.request.get_full_path()
        context["cancel_url"] = reverse("caseflow_subscriptions:index")
        return context

    def form_valid(self, form: SubscriptionForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            subscription = subscriptions.create_subscription(
                client=data["client"],
                amount=data["amount"],
                currency=data["currency"],
                interval=data["interval"],
                description=data["description"],
                site=self.site,
                user=self.request.user,
                send_email=data["send_email"],
            )
        except (StripeFailure, subscriptions.SubscriptionError) as failure:
            form.add_error(None, str(failure))
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("Subscription created. It stays Incomplete until the client enters a card."),
        )
        return redirect(detail_url(subscription))


# -- detail ---------------------------------------------------------------------------------------------


class SubscriptionMixin(ForbiddenMixin, _AdminView):
    permission = VIEW

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.subscription = get_object_or_404(
            Subscription.objects.select_related("client", "site"), pk=kwargs["pk"]
        )

    def check_permissions(self, request: HttpRequest) -> None:
        if not permissions.may(request.user, self.permission):
            raise PermissionDenied

    def get_page_subtitle(self) -> str:
        return str(self.subscription)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_subscriptions:index"), "label": gettext("Subscriptions")},
            {"url": detail_url(self.subscription), "label": str(self.subscription)},
            {"url": "", "label": self.get_page_title()},
        ]


class SubscriptionDetailView(SubscriptionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "caseflow_wagtail/admin/subscriptions/detail.html"
    page_title = _("Subscription")
    header_icon = "calendar-check"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("caseflow_subscriptions:index"), "label": gettext("Subscriptions")},
            {"url": "", "label": str(self.subscription)},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        subscription = self.subscription
        may_change = permissions.may(self.request.user, CHANGE)
        context.update(
            subscription=subscription,
            setup_link=subscriptions.setup_link(subscription) if subscription.is_incomplete else "",
            cycles=subscription.cycles.select_related("invoice").order_by("-created_at"),
            history=ModelLogEntry.objects.for_instance(subscription)
            .select_related("user")
            .order_by("-timestamp", "-pk"),
            may_change=may_change,
            cancel_url=reverse("caseflow_subscriptions:cancel", args=[subscription.pk])
            if may_change and subscription.can_cancel
            else "",
            undo_url=reverse("caseflow_subscriptions:undo_cancel", args=[subscription.pk])
            if may_change and subscription.can_cancel and subscription.cancel_at_period_end
            else "",
            resend_url=reverse("caseflow_subscriptions:send_setup", args=[subscription.pk])
            if may_change and subscription.is_incomplete
            else "",
        )
        return context
