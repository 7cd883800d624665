"""System checks with stable ids: each message names the setting to fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from . import conf, money

if TYPE_CHECKING:
    from .models import PaymentGatewaySettings

REQUIRED_APPS = ("wagtail.contrib.settings", "wagtail", "wagtail.images", "modelcluster", "taggit")


@register(Tags.compatibility)
def check_installed_apps(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
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
def check_urls_included(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
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
def check_settings_dict(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    configured = getattr(settings, "CASEFLOW_WAGTAIL", {})
    if not isinstance(configured, dict):
        return [Error("settings.CASEFLOW_WAGTAIL must be a dict.", id="caseflow_wagtail.E003")]
    problems: list[CheckMessage] = [
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


NO_DELIVERY_BACKENDS = (
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)


def receipt_mail_backend() -> tuple[str, str]:
    """The setting that chooses how receipts are sent, and its backend: Django 6.1's MAILERS when a site
    uses it, else EMAIL_BACKEND."""
    mailers = getattr(settings, "MAILERS", None)
    if mailers:
        return 'MAILERS["default"]', (mailers.get("default") or {}).get("BACKEND", "")
    return "EMAIL_BACKEND", getattr(settings, "EMAIL_BACKEND", "")


def _gateway_rows() -> list[PaymentGatewaySettings]:
    """Configured Payment Gateways rows; none when the tables do not exist yet (before migrate)."""
    from django.db import DatabaseError

    from .models import PaymentGatewaySettings

    try:
        return list(PaymentGatewaySettings.objects.select_related("site"))
    except DatabaseError:
        return []


def _settings_readable() -> bool:
    # E003 reports a CASEFLOW_WAGTAIL that is not a dict; reading any setting then would raise and stop
    # every other check.
    return isinstance(getattr(settings, "CASEFLOW_WAGTAIL", {}) or {}, dict)


@register(Tags.security)
def check_payment_gateways(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """What is wrong wherever the site runs, development included: every command reports it."""
    if not _settings_readable():
        return []
    problems: list[CheckMessage] = []
    rows = _gateway_rows()
    live_sites = [row.site for row in rows if row.mode == "live"]
    if settings.DEBUG and live_sites:
        problems.append(
            Warning(
                f"Live Stripe keys are configured for {', '.join(map(str, live_sites))} while DEBUG is on.",
                hint="Turn DEBUG off in production, or use test keys in development.",
                id="caseflow_wagtail.W011",
            )
        )
    if live_sites and conf.get("STRIPE_API_BASE"):
        problems.append(
            Error(
                f"{conf.setting_name('STRIPE_API_BASE')} is set while live keys are configured.",
                hint="Remove STRIPE_API_BASE; live keys are only ever sent to Stripe.",
                id="caseflow_wagtail.E010",
            )
        )
    for row in rows:
        if row.online_payments_enabled and not row.webhook_configured:
            problems.append(
                Warning(
                    f"Online payments are enabled for {row.site} but its Stripe webhook is not set up.",
                    hint="Open Settings → Payment Gateways and click “Set up webhook”.",
                    id="caseflow_wagtail.W013",
                )
            )
    return problems


@register(Tags.security, deploy=True)
def check_deployment(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """What only production gets wrong, reported by ``manage.py check --deploy``.

    A development site or a test run encrypts with the derived key and prints receipts to the console on
    purpose; telling it so on every command would teach people to skip the warnings that matter.
    """
    from . import crypto

    if not _settings_readable():
        return []
    problems: list[CheckMessage] = []
    if crypto.is_using_derived_key():
        problems.append(
            Warning(
                "Stripe secrets are encrypted with a key derived from SECRET_KEY.",
                hint=f"Set {conf.setting_name('ENCRYPTION_KEYS')} to a list of Fernet keys "
                "(python -m caseflow_wagtail.crypto prints one) so that rotating SECRET_KEY "
                "does not make stored secrets unreadable.",
                id="caseflow_wagtail.W010",
            )
        )
    setting, backend = receipt_mail_backend()
    if backend in NO_DELIVERY_BACKENDS and any(row.online_payments_enabled for row in _gateway_rows()):
        problems.append(
            Warning(
                f"Online payments are enabled but {setting} ({backend}) delivers no receipts.",
                hint="Configure an anymail backend (e.g. anymail.backends.postmark.EmailBackend).",
                id="caseflow_wagtail.W012",
            )
        )
    return problems


@register(Tags.database)
def check_sqlite_transaction_mode(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """SQLite's default DEFERRED transactions fail one of two writers with "database is locked" when a
    transaction that began by reading then writes: a client's success page and Stripe's webhook do exactly
    that at the same moment. IMMEDIATE (Django 5.1+) makes the second writer wait instead."""
    return sqlite_transaction_problems(settings.DATABASES)


def sqlite_transaction_problems(databases: Mapping[str, Mapping[str, Any]]) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for alias, database in databases.items():
        if not database.get("ENGINE", "").endswith("sqlite3"):
            continue
        mode = str((database.get("OPTIONS") or {}).get("transaction_mode") or "DEFERRED").upper()
        if mode != "IMMEDIATE":
            problems.append(
                Warning(
                    f"The SQLite database {alias!r} uses {mode} transactions, so a payment's webhook and the "
                    "client's confirmation page can fail each other with 'database is locked'.",
                    hint=f'Set DATABASES["{alias}"]["OPTIONS"] = {{"transaction_mode": "IMMEDIATE", '
                    '"timeout": 20}.',
                    id="caseflow_wagtail.W014",
                )
            )
    return problems
