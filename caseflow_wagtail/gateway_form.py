"""The Payment Gateways form: write-only secrets, key checks against Stripe, the trust-account attestation."""

from __future__ import annotations

import string
from contextvars import ContextVar
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.log_actions import log

from . import audit, conf, money
from .exceptions import ConfigurationError
from .stripe_api import StripeAuthenticationFailed, StripeFailure, StripeGateway, StripeUnavailable, key_mode

# Warnings for the person saving the form (e.g. Stripe unreachable), shown by the view that wraps
# Wagtail's settings editor: the form itself has no request to attach messages to.
SAVE_WARNINGS: ContextVar[list[str]] = ContextVar("caseflow_gateway_save_warnings")

DESCRIPTION_PLACEHOLDERS = ("invoice_number", "firm_name")


def render_description(template: str, invoice_number: str, firm_name: str) -> str:
    return template.format(invoice_number=invoice_number, firm_name=firm_name)


def description_placeholders(template: str) -> set[str]:
    """Field names used in a ``str.format`` template; raises ValueError for a malformed one."""
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}


class PaymentGatewaySettingsForm(WagtailAdminModelForm):
    # Declared for the type checker (Wagtail's form has no types): what the form was bound to, replaced
    # by a copy when an input must not be shown back.
    data: dict[str, Any]

    stripe_secret_key = forms.CharField(
        label=gettext_lazy("Stripe secret key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Starts with sk_test_, sk_live_ or a restricted rk_… key. It is stored encrypted and never shown "
            "again; leave blank to keep the stored key (https://docs.stripe.com/keys)."
        ),
    )
    attest_operating_account = forms.BooleanField(
        label=gettext_lazy(
            "I confirm this Stripe account pays out to the firm's operating account, not a trust or IOLTA account"
        ),
        required=False,
        help_text=gettext_lazy("Required the first time live keys are saved; kept in the audit log."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = SAVE_WARNINGS.get([])
        settings_row = self.instance
        field = self.fields["stripe_secret_key"]
        if settings_row.secret_from_environment:
            field.disabled = True
            field.help_text = _("Set by the %(name)s environment variable (%(hint)s).") % {
                "name": conf.ENVIRONMENT_SECRETS["stripe_secret_key"],
                "hint": settings_row.secret_key_hint,
            }
        elif settings_row.secret_key_hint:
            field.help_text = _(
                "Stored: %(hint)s. Leave blank to keep it; enter a new key to replace it."
            ) % {"hint": settings_row.secret_key_hint}
        if "stripe_publishable_key" in self.fields and conf.environment_secret("stripe_publishable_key"):
            self.fields["stripe_publishable_key"].disabled = True
            self.fields["stripe_publishable_key"].help_text = _(
                "Set by the %(name)s environment variable."
            ) % {"name": conf.ENVIRONMENT_SECRETS["stripe_publishable_key"]}

    def clean_stripe_publishable_key(self) -> str:
        key = (self.cleaned_data.get("stripe_publishable_key") or "").strip()
        if not key:
            return key
        if key.startswith(("sk_", "rk_", "whsec_")):
            # A secret pasted in the wrong box: the form is shown again, and must not show it back.
            self._forget_input("stripe_publishable_key")
            raise ValidationError(
                _("That was a secret key; it was not saved or shown. Paste it in the secret key field.")
            )
        if not key.startswith(("pk_test_", "pk_live_")):
            raise ValidationError(_("A publishable key starts with pk_test_ or pk_live_."))
        return key

    def _forget_input(self, name: str) -> None:
        data: dict[str, Any] = self.data.copy()
        data[self.add_prefix(name)] = ""
        self.data = data

    def clean_stripe_secret_key(self) -> str:
        key = (self.cleaned_data.get("stripe_secret_key") or "").strip()
        if not key or self.fields["stripe_secret_key"].disabled:
            return ""
        if key.startswith("pk_"):
            raise ValidationError(_("This is a publishable key. The secret key starts with sk_ or rk_."))
        if not key.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
            raise ValidationError(_("A secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_."))
        return key

    def clean_currencies_accepted(self) -> str:
        codes: list[str] = []
        for raw in (self.cleaned_data.get("currencies_accepted") or "").split(","):
            if not raw.strip():
                continue
            code = money.normalize_currency(raw)
            if code not in money.STRIPE_CURRENCIES:
                raise ValidationError(_("Stripe does not take card payments in %(code)s.") % {"code": code})
            if code not in codes:
                codes.append(code)
        if not codes:
            raise ValidationError(_("List at least one currency, e.g. USD."))
        return ",".join(codes)

    def clean_description_template(self) -> str:
        template = (self.cleaned_data.get("description_template") or "").strip()
        try:
            names = description_placeholders(template)
        except ValueError:
            raise ValidationError(
                _(
                    "Braces must enclose a placeholder, e.g. {invoice_number}; use {{ and }} for literal braces."
                )
            ) from None
        unknown = sorted(names - set(DESCRIPTION_PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                _("Unknown placeholder %(names)s. Use only %(allowed)s.")
                % {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": ", ".join(f"{{{name}}}" for name in DESCRIPTION_PLACEHOLDERS),
                }
            )
        return template

    def clean(self):
        cleaned = super().clean()
        settings_row = self.instance
        new_secret = cleaned.get("stripe_secret_key") or ""
        publishable = cleaned.get("stripe_publishable_key", settings_row.get_publishable_key()) or ""
        secret_mode = key_mode(new_secret) if new_secret else ""
        if not new_secret and settings_row.has_secret_key:
            secret_mode = key_mode(settings_row.get_secret_key())
        if publishable and secret_mode and key_mode(publishable) != secret_mode:
            self.add_error(
                "stripe_secret_key",
                _(
                    "The publishable key is a %(pk)s key but the secret key is a %(sk)s key; use a pair of one mode."
                )
                % {"pk": key_mode(publishable), "sk": secret_mode},
            )
        if cleaned.get("online_payments_enabled") and not (
            publishable and (new_secret or settings_row.has_secret_key)
        ):
            self.add_error(
                "online_payments_enabled",
                _("Add the Stripe publishable and secret keys to enable online payments."),
            )
        if (
            secret_mode == "live"
            and not settings_row.live_attested_at
            and not cleaned.get("attest_operating_account")
        ):
            self.add_error(
                "attest_operating_account",
                _("Confirm that this account pays out to an operating account before saving live keys."),
            )
        if new_secret and not self.errors:
            self._verify_with_stripe(new_secret)
        return cleaned

    def _verify_with_stripe(self, secret: str) -> None:
        try:
            stripe = StripeGateway(secret)
            stripe.verify_key()
            endpoint_id = self.instance.webhook_endpoint_id
            if endpoint_id and secret != self._stored_secret():
                # Another key may be another Stripe account, where the stored endpoint does not exist.
                self.endpoint_gone = stripe.webhook_endpoint_status(endpoint_id) == "missing"
        except ConfigurationError as problem:
            self.add_error("stripe_secret_key", str(problem))
        except StripeAuthenticationFailed as failure:
            self.add_error("stripe_secret_key", str(failure))
        except StripeUnavailable:
            self.warnings.append(
                _("Stripe could not be reached to check the secret key. It was saved; check it again later.")
            )
        except StripeFailure as failure:
            self.add_error("stripe_secret_key", str(failure))

    def _stored_secret(self) -> str:
        return self.instance.get_secret_key() if self.instance.has_secret_key else ""

    def save(self, commit: bool = True):
        settings_row = super().save(commit=False)
        secret = self.cleaned_data.get("stripe_secret_key")
        if secret:
            settings_row.set_secret_key(secret)
        if getattr(self, "endpoint_gone", False):
            # The webhook of the old account would never send this account's events: set it up again.
            settings_row.webhook_endpoint_id = ""
            settings_row.webhook_secret_encrypted = ""
            settings_row.webhook_previous_secret_encrypted = ""
            self.warnings.append(
                _(
                    "The new secret key belongs to another Stripe account, which has no webhook for this "
                    "site yet. Set up the webhook again."
                )
            )
        attesting = (
            bool(self.cleaned_data.get("attest_operating_account")) and not settings_row.live_attested_at
        )
        if attesting and key_mode(settings_row.get_secret_key() or "") == "live":
            settings_row.live_attested_at = timezone.now()
            settings_row.live_attested_by = self.for_user if getattr(self.for_user, "pk", None) else None
        else:
            attesting = False
        if commit:
            settings_row.save()
            if attesting:
                log(
                    instance=settings_row,
                    action=audit.LIVE_ATTESTED,
                    user=settings_row.live_attested_by,
                    data={"site_id": settings_row.site_id},
                )
        return settings_row
