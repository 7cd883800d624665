"""The one place settings and secrets are read.

A setting: a site setting, then ``settings.CASEFLOW_WAGTAIL``, then an environment variable (for the few
that have one), then a default. A Stripe secret: its environment variable when set (a deployment's secret
store wins over the panel), then the site's encrypted Payment Gateways value; when neither has it,
``missing_secret`` names both places.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from .exceptions import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Firm name on invoices and receipts; blank means the Wagtail site's name.
    "FIRM_NAME": "",
    # Suggested invoice numbers are PREFIX + a zero-padded sequence, e.g. INV-0001.
    "INVOICE_NUMBER_PREFIX": "INV-",
    "INVOICE_NUMBER_DIGITS": 4,
    # Days between the issue date and the due date suggested for a new invoice.
    "PAYMENT_TERMS_DAYS": 30,
    # Currency suggested for a new invoice.
    "DEFAULT_CURRENCY": "USD",
    # Fernet keys for Stripe secrets at rest, newest first; empty derives one from SECRET_KEY.
    "ENCRYPTION_KEYS": [],
    # Dotted path to a callable(site) -> bool saying whether the site's plan includes online payments.
    "PLAN_CHECK": "",
    # Pay Now attempts allowed per client address and per invoice: (count, seconds).
    "PAY_LIMIT_PER_ADDRESS": (10, 60),
    "PAY_LIMIT_PER_INVOICE": (30, 600),
    # The proxies named in X-Forwarded-For after the client, for reading a client's address (python-ipware's
    # proxy_count as an int, or its proxy_list of address prefixes such as ["10.0."]). None: the
    # connection's own address, which behind a proxy is the proxy's, shared by every client.
    "TRUSTED_PROXIES": None,
    # Base URL of a local Stripe emulator (test keys only), e.g. http://127.0.0.1:12111.
    "STRIPE_API_BASE": "",
    # Seconds one Stripe call may take in the background (webhook setup, sync), before each of two retries.
    "STRIPE_TIMEOUT": 20,
    # Seconds, retry included, a client waits on Stripe (Pay Now, the success page) before being told to
    # try again shortly.
    "STRIPE_CLIENT_TIMEOUT": 8,
    # An outbound HTTP(S) proxy for Stripe calls, for sites behind one, e.g. http://proxy.firm.internal:3128.
    "STRIPE_PROXY": "",
    # Record each refund made in Stripe as a refund adjustment at once, instead of waiting for staff to choose.
    "RECORD_STRIPE_REFUNDS_AUTOMATICALLY": False,
    # The Content-Security-Policy of invoice and payment pages: None for the built-in strict one, a string
    # to send instead, "" to send none (the host's own policy then applies alone).
    "CONTENT_SECURITY_POLICY": None,
    # Minutes after a client reaches the success page within which Stripe's event is expected.
    "WEBHOOK_LATE_AFTER_MINUTES": 10,
}

# Environment variables that, when set, supply a Stripe value instead of the Payment Gateways panel.
ENVIRONMENT_SECRETS = {
    "stripe_publishable_key": "CASEFLOW_STRIPE_PUBLISHABLE_KEY",
    "stripe_secret_key": "CASEFLOW_STRIPE_SECRET_KEY",
    "webhook_secret": "CASEFLOW_STRIPE_WEBHOOK_SECRET",
}


# Settings that an environment variable may supply when ``CASEFLOW_WAGTAIL`` does not.
ENVIRONMENT_SETTINGS = {
    "STRIPE_API_BASE": "CASEFLOW_STRIPE_API_BASE",
}


def setting_name(key: str) -> str:
    return f'CASEFLOW_WAGTAIL["{key}"]'


def get(key: str, site_value: Any = None) -> Any:
    """Return a setting: a non-empty site-setting value wins, then the settings dict, then the default."""
    if key not in DEFAULTS:
        raise ConfigurationError(f"Unknown setting {setting_name(key)}.")
    if site_value not in (None, ""):
        return site_value
    configured = getattr(settings, "CASEFLOW_WAGTAIL", {}) or {}
    if not isinstance(configured, dict):
        raise ConfigurationError("settings.CASEFLOW_WAGTAIL must be a dict.")
    if key in configured:
        return configured[key]
    environment = os.environ.get(ENVIRONMENT_SETTINGS.get(key, ""), "")
    return environment or DEFAULTS[key]


def environment_secret(field: str) -> str:
    """The Stripe value the environment supplies for ``field`` (a key of ``ENVIRONMENT_SECRETS``), or ""."""
    return os.environ.get(ENVIRONMENT_SECRETS[field], "")


SECRET_LABELS = {
    "stripe_publishable_key": "Stripe publishable key",
    "stripe_secret_key": "Stripe secret key",
    "webhook_secret": "Stripe webhook signing secret",
}


def missing_secret(field: str, site: Any = None) -> ConfigurationError:
    """The error for a Stripe value found nowhere, naming every place looked in."""
    where = f"the site “{site}”" if site is not None else "this site"
    return ConfigurationError(
        f"No {SECRET_LABELS[field]}: looked in Settings → Payment Gateways of {where} and in the "
        f"{ENVIRONMENT_SECRETS[field]} environment variable."
    )
