"""Errors raised inside the emulator and rendered in Stripe's error body shape."""

from __future__ import annotations

from typing import Any


class StripeApiError(Exception):
    """An error answered to the client exactly as Stripe would shape it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        if self.decline_code:
            error["decline_code"] = self.decline_code
        error.update(self.extra)
        return {"error": error}


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeApiError:
    return StripeApiError(400, message, param=param, code=code or ("parameter_invalid" if param else None))


def missing_param(param: str) -> StripeApiError:
    return StripeApiError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def not_found(kind: str, object_id: str, param: str = "id") -> StripeApiError:
    return StripeApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def unknown_url(method: str, path: str) -> StripeApiError:
    return StripeApiError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
    )


# Messages and codes follow Stripe's documented declines for its test cards.
DECLINE_MESSAGES = {
    "generic_decline": ("card_declined", "Your card was declined."),
    "insufficient_funds": ("card_declined", "Your card has insufficient funds."),
    "expired_card": ("expired_card", "Your card has expired."),
    "incorrect_cvc": ("incorrect_cvc", "Your card's security code is incorrect."),
    "incorrect_number": ("incorrect_number", "Your card number is incorrect."),
    "processing_error": ("processing_error", "An error occurred while processing your card. Try again."),
}

AUTHENTICATION_FAILURE = (
    "payment_intent_authentication_failure",
    "We are unable to authenticate your payment method. Please choose a different payment method and "
    "try again.",
)
