"""System checks with stable ids: each message names the setting to fix."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from . import conf, money

REQUIRED_APPS = ("wagtail.contrib.settings", "wagtail", "modelcluster", "taggit")


@register(Tags.compatibility)
def check_installed_apps(app_configs=None, **kwargs):
    return [
        Error(
            f"caseflow_wagtail needs {name!r} in INSTALLED_APPS.",
            hint=f"Add {name!r} to INSTALLED_APPS.",
            id="caseflow_wagtail.E001",
        )
        for name in REQUIRED_APPS
        if not apps.is_installed(name)
    ]


@register(Tags.urls)
def check_urls_included(app_configs=None, **kwargs):
    try:
        reverse("caseflow_wagtail:invoice", kwargs={"token": "x"})
    except NoReverseMatch:
        return [
            Error(
                "caseflow_wagtail.urls is not included in the URLconf, so invoice links cannot be built.",
                hint='Add path("billing/", include("caseflow_wagtail.urls")) to urlpatterns, '
                "before Wagtail's own include.",
                id="caseflow_wagtail.E002",
            )
        ]
    return []


@register()
def check_settings_dict(app_configs=None, **kwargs):
    configured = getattr(settings, "CASEFLOW_WAGTAIL", {})
    if not isinstance(configured, dict):
        return [Error("settings.CASEFLOW_WAGTAIL must be a dict.", id="caseflow_wagtail.E003")]
    problems = [
        Warning(
            f"Unknown setting {conf.setting_name(key)} is ignored.",
            hint="Check the spelling against the settings reference in the README.",
            id="caseflow_wagtail.W001",
        )
        for key in configured
        if key not in conf.DEFAULTS
    ]
    try:
        money.normalize_currency(conf.get("DEFAULT_CURRENCY"))
    except ValidationError:
        problems.append(
            Error(
                f"{conf.setting_name('DEFAULT_CURRENCY')} is not an ISO 4217 currency code.",
                hint="Use a three-letter code such as USD or CAD.",
                id="caseflow_wagtail.E004",
            )
        )
    for key in ("INVOICE_NUMBER_DIGITS", "PAYMENT_TERMS_DAYS"):
        value = conf.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(
                Error(
                    f"{conf.setting_name(key)} must be a whole number of 0 or more.",
                    id="caseflow_wagtail.E005",
                )
            )
    return problems
