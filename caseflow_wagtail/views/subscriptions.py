"""Retainer subscriptions: Billing → Subscriptions in the admin, and the client's setup and card pages."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.contrib import messages as django_messages
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import ModelLogEntry, Site

from .. import conf, permissions, ratelimit, subscriptions
from ..forms import AmountField
from ..headers import make_private
from ..models import (
    BillingSettings,
    Client,
    PaymentGatewaySettings,
    Subscription,
    SubscriptionInterval,
    SubscriptionStatus,
)
from ..sites import invoice_site
from ..stripe_api import StripeFailure
from .base import ForbiddenMixin, MoneyColumn, StripeModeMixin, site_for
from .public import get_public_invoice

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
            DateColumn("next_charge_at", label=_("Next charge"), sort_key="current_period_end"),
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


# -- manage: cancel, undo, resend -----------------------------------------------------------------------


class CancelForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        choices=[
            ("period_end", _("At the end of the current period (no further charges)")),
            ("now", _("Immediately (the subscription ends now)")),
        ],
        widget=forms.RadioSelect,
        initial="period_end",
    )


class SubscriptionActionView(SubscriptionMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "caseflow_wagtail/admin/confirm_action.html"
    header_icon = "calendar-check"
    permission = CHANGE
    form_class: type[forms.Form] = forms.Form
    confirm_label = _("Confirm")
    danger = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            subscription=self.subscription,
            action_url=self.request.get_full_path(),
            cancel_url=detail_url(self.subscription),
            confirm_label=self.confirm_label,
            danger=self.danger,
            explanation=self.explanation(),
            # "Cancel" would read as an answer on the page that cancels a subscription.
            back_label=gettext("Back"),
        )
        return context

    def explanation(self) -> list[str]:
        return []

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            # Each action view defines act(form): the change it asks Stripe for, returning the message.
            message = self.act(form)
        except (StripeFailure, subscriptions.SubscriptionError) as failure:
            messages.error(self.request, str(failure))
        else:
            messages.success(self.request, message)
        return redirect(detail_url(self.subscription))


class CancelSubscriptionView(SubscriptionActionView):
    page_title = _("Cancel subscription")
    form_class = CancelForm
    confirm_label = _("Yes, cancel the subscription")
    danger = True

    def explanation(self) -> list[str]:
        lines = [gettext("Stripe stops charging the client's card. Invoices already paid are not refunded.")]
        if self.subscription.current_period_end:
            lines.append(
                gettext("The current period ends on %(date)s.")
                % {"date": self.subscription.current_period_end.date().isoformat()}
            )
        return lines

    def act(self, form: forms.Form) -> str:
        if form.cleaned_data["when"] == "now":
            result = subscriptions.cancel_now(self.subscription, user=self.request.user)
            return gettext("The subscription is %(status)s.") % {"status": result.get_status_display()}
        result = subscriptions.cancel_at_period_end(self.subscription, user=self.request.user)
        if not result.cancel_at_period_end:
            return gettext("Stripe did not schedule the cancellation.")
        return gettext("The subscription will end at the end of the current period.")


class UndoCancelView(SubscriptionActionView):
    page_title = _("Keep subscription")
    confirm_label = _("Yes, keep charging each cycle")

    def explanation(self) -> list[str]:
        return [gettext("The pending cancellation is withdrawn; Stripe keeps charging every cycle.")]

    def act(self, form: forms.Form) -> str:
        subscriptions.undo_cancellation(self.subscription, user=self.request.user)
        return gettext("The cancellation is withdrawn.")


class SendSetupView(SubscriptionActionView):
    page_title = _("Email the setup link")
    confirm_label = _("Send")

    def explanation(self) -> list[str]:
        return [
            gettext("The setup link goes to %(email)s.")
            % {"email": self.subscription.client.contact_email or "—"}
        ]

    def act(self, form: forms.Form) -> str:
        if not self.subscription.is_incomplete:
            raise subscriptions.SubscriptionError(gettext("The client has already set up this subscription."))
        if not subscriptions.send_setup_email(self.subscription, user=self.request.user):
            raise subscriptions.SubscriptionError(gettext("The client has no primary contact email."))
        return gettext("The setup link was emailed.")


# -- the viewset ----------------------------------------------------------------------------------------


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    name = "caseflow_subscriptions"
    url_prefix = "billing/subscriptions"
    icon = "calendar-check"
    menu_label = _("Subscriptions")
    menu_name = "caseflow-subscriptions"
    index_view_class = SubscriptionIndexView
    filterset_class = SubscriptionFilterSet
    search_backend_name = None
    search_fields = ["client__name", "description"]
    ordering = ["-created_at"]
    list_per_page = 50
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(
            edit_url_name=None, delete_url_name=None, history_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", SubscriptionCreateView.as_view(), name="add"),
            path("<int:pk>/", SubscriptionDetailView.as_view(), name="inspect"),
            path("<int:pk>/cancel/", CancelSubscriptionView.as_view(), name="cancel"),
            path("<int:pk>/keep/", UndoCancelView.as_view(), name="undo_cancel"),
            path("<int:pk>/send-setup/", SendSetupView.as_view(), name="send_setup"),
        ]

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        codenames = [get_permission_codename(action, self.model_opts) for action in ("add", "change", "view")]
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), codename__in=codenames
        )


# -- the client's pages ---------------------------------------------------------------------------------


def _subscription(token: str) -> Subscription:
    subscription = Subscription.objects.select_related("client", "site").filter(public_token=token).first()
    if subscription is None:
        raise Http404
    return subscription


def _allowed(request: HttpRequest) -> bool:
    return ratelimit.allow(
        f"subscription:{ratelimit.client_address(request)}", *conf.get("PAY_LIMIT_PER_ADDRESS")
    )


def _firm(subscription: Subscription) -> str:
    return BillingSettings.for_site(subscription.site).get_firm_name() if subscription.site else ""


@require_safe
def subscription_page(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _subscription(token)
    context = {
        "subscription": subscription,
        "firm_name": _firm(subscription),
        "next_charge": subscription.next_charge_at,
        "update_card_url": reverse("caseflow_wagtail:subscription_update_card", kwargs={"token": token})
        if subscriptions.card_updates_allowed(subscription)
        else "",
        "setup_url": reverse("caseflow_wagtail:subscription_setup", kwargs={"token": token})
        if subscription.is_incomplete
        else "",
    }
    return make_private(
        TemplateResponse(request, "caseflow_wagtail/subscriptions/subscription.html", context)
    )


@require_safe
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed setup link: on to Stripe's Checkout while the subscription awaits its card."""
    subscription = _subscription(token)
    back = redirect("caseflow_wagtail:subscription", token=token)
    if not subscription.is_incomplete:
        return back
    if not _allowed(request):
        return make_private(HttpResponse(gettext("Too many attempts; try again in a minute."), status=429))
    try:
        url = subscriptions.checkout_url_for_setup(subscription)
    except (StripeFailure, subscriptions.SubscriptionError) as failure:
        logger.warning("Setup for subscription %s not opened: %s", subscription.pk, type(failure).__name__)
        django_messages.error(
            request, gettext("We could not open the card page just now; please try again shortly.")
        )
        return back
    return redirect(url)


@require_safe
def setup_done(request: HttpRequest, token: str) -> HttpResponse:
    """Where Stripe sends the client after Checkout. Links the subscription if the webhook has not yet."""
    subscription = _subscription(token)
    session_id = request.GET.get("session_id", "")
    if session_id and session_id == subscription.stripe_checkout_session_id and subscription.site is not None:
        try:
            session = subscriptions.stripe_for(subscription.site).retrieve_checkout_session(session_id)
            with transaction.atomic():
                subscriptions.link_checkout_session(subscription.site, session)
        except StripeFailure as failure:
            # The webhook links it; the page says the card is being confirmed.
            logger.warning("Setup page could not confirm %s: %s", session_id, type(failure).__name__)
        else:
            django_messages.success(
                request, gettext("Thank you — your card is saved and the retainer is set up.")
            )
    return redirect("caseflow_wagtail:subscription", token=token)


def _portal(request: HttpRequest, subscription: Subscription | None, return_url: str) -> HttpResponse:
    if subscription is None or not subscriptions.card_updates_allowed(subscription):
        raise Http404
    if not _allowed(request):
        return make_private(HttpResponse(gettext("Too many attempts; try again in a minute."), status=429))
    try:
        url = subscriptions.portal_url(subscription, return_url)
    except (StripeFailure, subscriptions.SubscriptionError) as failure:
        logger.warning("Portal for subscription %s not opened: %s", subscription.pk, type(failure).__name__)
        django_messages.error(
            request, gettext("We could not open the card page just now; please try again shortly.")
        )
        return redirect(return_url)
    return redirect(url)


@require_safe
def update_card(request: HttpRequest, token: str) -> HttpResponse:
    """From a subscription email or page: Stripe's portal, back to the subscription page."""
    subscription = _subscription(token)
    back = request.build_absolute_uri(reverse("caseflow_wagtail:subscription", kwargs={"token": token}))
    return _portal(request, subscription, back)


@require_safe
def invoice_update_card(request: HttpRequest, token: str) -> HttpResponse:
    """From an invoice page: Stripe's portal for the invoice's client, back to that invoice."""
    invoice = get_public_invoice(token)
    site = invoice_site(invoice)
    gateway = PaymentGatewaySettings.for_site(site) if site is not None else None
    subscription = subscriptions.subscription_for_invoice_card_update(invoice, gateway)
    back = request.build_absolute_uri(reverse("caseflow_wagtail:invoice", kwargs={"token": token}))
    return _portal(request, subscription, back)
