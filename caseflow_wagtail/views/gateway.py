"""Admin actions for Settings → Payment Gateways: one-click webhook setup and the manual fallback."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.contrib.settings import views as settings_views
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit
from ..gateway_form import SAVE_WARNINGS
from ..models import PaymentGatewaySettings
from ..stripe_api import API_VERSION, StripeFailure
from ..webhooks.registry import SUBSCRIBED_EVENTS
from ..webhooks.setup import WebhookUnreachable, connect_webhook, setup_blocker, webhook_endpoint_url


class WebhookSecretForm(forms.Form):
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Starts with whsec_. Stored encrypted; never shown again."),
    )
    keep_previous = forms.BooleanField(
        label=gettext_lazy("Keep accepting the previous secret (while rotating)"),
        required=False,
        initial=True,
    )

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"].strip()
        if not secret.startswith("whsec_") or len(secret) < 20 or not secret[6:].isalnum():
            raise ValidationError(
                _("A webhook signing secret starts with whsec_ followed by letters and digits.")
            )
        return secret


class Forbidden(Exception):
    """Raised inside these views to answer 403 (Wagtail turns PermissionDenied into a redirect)."""


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "caseflow_wagtail/admin/permission_denied.html", status=403)


def may_change_gateway(user, site: Site | None = None) -> bool:
    try:
        from wagtail.permissions import policy_registry
    except ImportError:  # Wagtail 7.0: one change permission covers every site
        meta = PaymentGatewaySettings._meta
        return user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
    policy = policy_registry.get_by_type(PaymentGatewaySettings)
    if site is None:
        return policy.sites_user_has_permission_for(user, "change").exists()
    return policy.user_has_permission_for_instance(user, "change", site)


def _site_and_settings(request: HttpRequest, site_pk: int) -> tuple[Site, PaymentGatewaySettings]:
    site = get_object_or_404(Site, pk=site_pk)
    if not may_change_gateway(request.user, site):
        raise Forbidden
    return site, PaymentGatewaySettings.for_site(site)


def guarded(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden:
            return forbidden(request)

    return wrapper


@guarded
def settings_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Wagtail's own settings views for Payment Gateways, answering 403 to users without the permission."""
    if not may_change_gateway(request.user, get_object_or_404(Site, pk=pk) if pk is not None else None):
        raise Forbidden
    meta = PaymentGatewaySettings._meta
    if pk is None:
        return settings_views.redirect_to_relevant_instance(request, meta.app_label, meta.model_name)
    warnings: list[str] = []
    token = SAVE_WARNINGS.set(warnings)
    try:
        response = settings_views.EditView.as_view()(request, meta.app_label, meta.model_name, pk=pk)
    finally:
        SAVE_WARNINGS.reset(token)
    for warning in warnings:
        messages.warning(request, warning)
    return response


def _settings_url(site: Site) -> str:
    meta = PaymentGatewaySettings._meta
    return reverse("wagtailsettings:edit", args=[meta.app_label, meta.model_name, site.pk])


def _render(
    request, site, gateway, *, manual=False, failure="", secret_form=None, status=200
) -> HttpResponse:
    return render(
        request,
        "caseflow_wagtail/admin/webhook_setup.html",
        {
            "site": site,
            "gateway": gateway,
            "endpoint_url": webhook_endpoint_url(site),
            # Stripe's CLI forwards test-mode events to any address and prints the whsec_ it signs with.
            "cli_command": f"stripe listen --forward-to {webhook_endpoint_url(site)} --events "
            + ",".join(SUBSCRIBED_EVENTS),
            "events": SUBSCRIBED_EVENTS,
            "api_version": API_VERSION,
            "manual": manual,
            "failure": failure,
            "secret_form": secret_form or WebhookSecretForm(),
            "secret_url": reverse("caseflow_wagtail_gateway:webhook_secret", args=[site.pk]),
            "settings_url": _settings_url(site),
        },
        status=status,
    )


@guarded
@require_http_methods(["GET", "POST"])
def webhook_setup(request: HttpRequest, site_pk: int) -> HttpResponse:
    site, gateway = _site_and_settings(request, site_pk)
    blocker = setup_blocker(site, gateway) if gateway.has_secret_key else ""
    if request.method == "GET":
        if blocker:
            # Say so before any click: Stripe would refuse this address, so offer the manual path.
            return _render(request, site, gateway, manual=True, failure=blocker)
        return _render(request, site, gateway, manual=request.GET.get("manual") == "1")
    if not gateway.has_secret_key:
        messages.error(request, _("Save the Stripe secret key before setting up the webhook."))
        return redirect(_settings_url(site))
    try:
        endpoint_id = connect_webhook(site, gateway)
    except (WebhookUnreachable, StripeFailure) as failure:
        return _render(request, site, gateway, manual=True, failure=str(failure))
    log(
        instance=gateway,
        action=audit.WEBHOOK_CONFIGURED,
        user=request.user,
        data={"endpoint_id": endpoint_id},
    )
    messages.success(request, _("Webhook active (%(id)s).") % {"id": endpoint_id})
    return redirect(_settings_url(site))


@guarded
@require_http_methods(["GET", "POST"])
def webhook_secret(request: HttpRequest, site_pk: int) -> HttpResponse:
    site, gateway = _site_and_settings(request, site_pk)
    if request.method == "GET":
        return _render(request, site, gateway, manual=True)
    form = WebhookSecretForm(request.POST)
    if not form.is_valid():
        return _render(request, site, gateway, manual=True, secret_form=form, status=400)
    gateway.set_webhook_secret(form.cleaned_data["secret"], keep_previous=form.cleaned_data["keep_previous"])
    gateway.save()
    log(instance=gateway, action=audit.WEBHOOK_CONFIGURED, user=request.user, data={"manual": True})
    messages.success(request, _("Webhook signing secret saved."))
    return redirect(_settings_url(site))


# Matched before Wagtail's own settings URLs (the hook is registered with a lower order).
settings_urlpatterns = [
    path("caseflow_wagtail/paymentgatewaysettings/", settings_edit),
    path("caseflow_wagtail/paymentgatewaysettings/<int:pk>/", settings_edit),
]

urlpatterns = [
    path("<int:site_pk>/webhook/", webhook_setup, name="webhook_setup"),
    path("<int:site_pk>/webhook/secret/", webhook_secret, name="webhook_secret"),
]
