"""Settings → Payment Gateways: one Stripe account per site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .. import conf, crypto
from ..stripe_keys import key_mode

DEFAULT_DESCRIPTION = "Payment for Invoice {invoice_number}"
DEFAULT_CURRENCIES = "USD,CAD"


class Mode(models.TextChoices):
    TEST = "test", _("Test mode")
    LIVE = "live", _("Live mode")
    NOT_CONFIGURED = "", _("Not configured")


def _secret(stored: str, field: str) -> str:
    return crypto.Secret(conf.environment_secret(field) or crypto.decrypt(stored))


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _alters_data(method: _Method) -> _Method:
    """Flag a method so that no template calls it (Django's templates skip callables with ``alters_data``).

    Written to the function's ``__dict__`` because a function object has no declared ``alters_data``
    attribute for type checkers."""
    method.__dict__["alters_data"] = True
    return method


def _last4(value: str) -> str:
    return f"••••{value[-4:]}" if value else ""


@register_setting(icon="credit-card")
class PaymentGatewaySettings(BaseSiteSetting):
    """Stripe keys and payment options. Secrets are stored encrypted and never rendered back."""

    online_payments_enabled = models.BooleanField(
        _("enable online payments"),
        default=False,
        help_text=_("Show Pay Now on invoices so clients can pay by card through Stripe."),
    )
    stripe_publishable_key = models.CharField(
        _("Stripe publishable key"),
        max_length=255,
        blank=True,
        help_text=_(
            "Starts with pk_test_ or pk_live_. Find it under Developers → API keys in the Stripe "
            "dashboard (https://docs.stripe.com/keys)."
        ),
    )
    # Ciphertext only: Wagtail's settings context processor exposes every field to every template.
    stripe_secret_key_encrypted = models.TextField(blank=True, editable=False)
    stripe_secret_key_last4 = models.CharField(max_length=4, blank=True, editable=False)
    description_template = models.CharField(
        _("Description on Stripe dashboard"),
        max_length=255,
        default=DEFAULT_DESCRIPTION,
        help_text=_(
            "What each payment is called in Stripe. Placeholders: {invoice_number}, {firm_name}. "
            "Stripe is a third party: nothing naming a client or a matter can be used "
            "(https://docs.stripe.com/api/payment_intents/object#payment_intent_object-description)."
        ),
    )
    currencies_accepted = models.CharField(
        _("Currencies accepted"),
        max_length=255,
        default=DEFAULT_CURRENCIES,
        help_text=_(
            "Comma-separated ISO codes, e.g. USD,CAD. Invoices in other currencies show no Pay Now "
            "(https://docs.stripe.com/currencies)."
        ),
    )
    allow_card_update = models.BooleanField(
        _("Allow primary contact to update credit card"),
        default=False,
        help_text=_("Retainer clients get a link to replace the card Stripe charges each cycle."),
    )
    allow_amount_edit = models.BooleanField(
        _("Allow payment amount to be modified"),
        default=False,
        help_text=_("Clients may pay part of the balance instead of all of it."),
    )

    webhook_endpoint_id = models.CharField(max_length=255, blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    # Kept during a secret rotation so events signed with the old secret are still accepted.
    webhook_previous_secret_encrypted = models.TextField(blank=True, editable=False)
    # The plugin's own customer-portal configuration in this site's Stripe account (card update only), and
    # a digest of the key and settings it was made with, so a changed key or setting updates or remakes it.
    portal_configuration_id = models.CharField(max_length=255, blank=True, editable=False)
    portal_configuration_digest = models.CharField(max_length=64, blank=True, editable=False)
    live_attested_at = models.DateTimeField(null=True, blank=True, editable=False)
    live_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Payment Gateways")

    # -- secrets (methods flagged alters_data so no template can call them) ----------------------------

    @_alters_data
    def get_secret_key(self) -> str:
        return _secret(self.stripe_secret_key_encrypted, "stripe_secret_key")

    @_alters_data
    def get_webhook_secrets(self) -> list[str]:
        env = conf.environment_secret("webhook_secret")
        secrets: list[str] = [crypto.Secret(env)] if env else []
        secrets += [
            crypto.decrypt(value)
            for value in (self.webhook_secret_encrypted, self.webhook_previous_secret_encrypted)
            if value
        ]
        return [secret for secret in secrets if secret]

    @_alters_data
    def set_secret_key(self, value: str) -> None:
        self.stripe_secret_key_encrypted = crypto.encrypt(value)
        self.stripe_secret_key_last4 = value[-4:]

    @_alters_data
    def set_webhook_secret(self, value: str, keep_previous: bool = True) -> None:
        if keep_previous and self.webhook_secret_encrypted:
            self.webhook_previous_secret_encrypted = self.webhook_secret_encrypted
        self.webhook_secret_encrypted = crypto.encrypt(value)

    # -- what the admin shows ----------------------------------------------------------------------------

    def get_publishable_key(self) -> str:
        return conf.environment_secret("stripe_publishable_key") or self.stripe_publishable_key

    @property
    def secret_key_hint(self) -> str:
        env = conf.environment_secret("stripe_secret_key")
        return _last4(env) if env else _last4(self.stripe_secret_key_last4)

    @property
    def secret_from_environment(self) -> bool:
        return bool(conf.environment_secret("stripe_secret_key"))

    @property
    def has_secret_key(self) -> bool:
        return bool(self.stripe_secret_key_encrypted or self.secret_from_environment)

    @property
    def mode(self) -> Mode:
        if not (self.get_publishable_key() and self.has_secret_key):
            return Mode.NOT_CONFIGURED
        return Mode(key_mode(self.get_publishable_key()) or "")

    @property
    def saved_mode(self) -> Mode:
        """The mode of the keys as stored, not as typed into a form that was refused."""
        if self.pk is None:
            return self.mode
        stored = type(self).objects.filter(pk=self.pk).first()
        return stored.mode if stored is not None else Mode.NOT_CONFIGURED

    @property
    def webhook_configured(self) -> bool:
        return bool(self.webhook_secret_encrypted or conf.environment_secret("webhook_secret"))

    def accepted_currencies(self) -> list[str]:
        return [code.strip().upper() for code in self.currencies_accepted.split(",") if code.strip()]

    def plan_includes_online_payments(self) -> bool:
        path = conf.get("PLAN_CHECK")
        return bool(import_string(path)(self.site)) if path else True

    def accepts_online_payments(self) -> bool:
        """Online payments are switched on, allowed by the plan and configured with keys."""
        return (
            self.online_payments_enabled
            and self.mode != Mode.NOT_CONFIGURED
            and self.plan_includes_online_payments()
        )
