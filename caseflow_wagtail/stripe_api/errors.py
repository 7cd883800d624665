"""Stripe's errors turned into ours: a message safe to show to staff, and whether trying again may help."""

from __future__ import annotations

import logging

import stripe
from django.utils.translation import gettext as _

from ..exceptions import CaseflowError

logger = logging.getLogger(__name__)


class StripeFailure(CaseflowError):
    """Stripe refused or could not be reached. ``str()`` is a message for staff; no secrets in it."""

    retryable = False


class StripeUnavailable(StripeFailure):
    """Stripe could not be reached, rate-limited us or failed on its side: try again later."""

    retryable = True


class StripeAuthenticationFailed(StripeFailure):
    """The key was rejected (invalid, revoked, or missing a permission)."""


class StripeRequestRejected(StripeFailure):
    """Stripe refused the request as invalid."""

    # Stripe's error code and parameter, when it named them (e.g. ``resource_missing``, ``url``).
    code: str = ""
    param: str = ""


class CardDeclined(StripeFailure):
    def __init__(self, message: str, code: str = "", decline_code: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.decline_code = decline_code


def translate(error: stripe.StripeError) -> StripeFailure:
    # Stripe's own message for 4xx is written for developers but is safe and specific; keys are never
    # echoed back by Stripe, only their last characters.
    detail = getattr(error, "user_message", None) or error._message or ""
    if isinstance(error, stripe.CardError):
        err = error.error
        return CardDeclined(
            detail, code=error.code or "", decline_code=getattr(err, "decline_code", "") or ""
        )
    if isinstance(error, stripe.AuthenticationError):
        return StripeAuthenticationFailed(
            _("Stripe rejected the secret key: %(detail)s") % {"detail": detail}
        )
    if isinstance(error, stripe.PermissionError):
        return StripeAuthenticationFailed(
            _("The Stripe key lacks a permission this needs: %(detail)s") % {"detail": detail}
        )
    if isinstance(error, stripe.RateLimitError):
        return StripeUnavailable(_("Stripe is rate-limiting requests; try again in a minute."))
    if isinstance(error, stripe.APIConnectionError):
        return StripeUnavailable(_("Stripe could not be reached; try again in a minute."))
    if isinstance(error, stripe.InvalidRequestError | stripe.IdempotencyError):
        rejected = StripeRequestRejected(_("Stripe refused the request: %(detail)s") % {"detail": detail})
        rejected.code = error.code or ""
        rejected.param = getattr(error, "param", None) or ""
        return rejected
    return StripeUnavailable(_("Stripe had a problem (%(detail)s); try again later.") % {"detail": detail})


class WebhookSignatureInvalid(StripeFailure):
    """The Stripe-Signature header is missing, forged, stale or from the future."""
