"""Stripe's documented test cards and what each one does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ._errors import DECLINE_MESSAGES, StripeApiError

OK = "ok"
THREE_DS_ONE_TIME = "3ds_one_time"  # 3155: asks on-session, saved card works off-session afterwards
THREE_DS_ALWAYS = "3ds_always"  # 3184: asks on every payment
ATTACH_THEN_FAIL = "attach_then_fail"  # 0341


@dataclass(frozen=True)
class TestCard:
    brand: str
    funding: str
    behaviour: str


TEST_CARDS: dict[str, TestCard] = {
    "4242424242424242": TestCard("visa", "credit", OK),
    "4000056655665556": TestCard("visa", "debit", OK),
    "5555555555554444": TestCard("mastercard", "credit", OK),
    "378282246310005": TestCard("amex", "credit", OK),
    "4000000000000002": TestCard("visa", "credit", "decline:generic_decline"),
    "4000000000009995": TestCard("visa", "credit", "decline:insufficient_funds"),
    "4000000000000069": TestCard("visa", "credit", "decline:expired_card"),
    "4000000000000127": TestCard("visa", "credit", "decline:incorrect_cvc"),
    "4000000000000119": TestCard("visa", "credit", "decline:processing_error"),
    "4000002500003155": TestCard("visa", "credit", THREE_DS_ONE_TIME),
    "4000002760003184": TestCard("visa", "credit", THREE_DS_ALWAYS),
    "4000000000003220": TestCard("visa", "credit", THREE_DS_ALWAYS),
    "4000000000000341": TestCard("visa", "credit", ATTACH_THEN_FAIL),
}

# Stripe's ready-made test PaymentMethod and token ids.
PM_TOKENS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_authenticationRequiredOnSetup": "4000002500003155",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_threeDSecure2Required": "4000000000003220",
    "pm_card_chargeCustomerFail": "4000000000000341",
}
TOKENS = {"tok_" + name[len("pm_card_") :]: number for name, number in PM_TOKENS.items()}


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_error(reason: str, param: str | None = None, extra: dict[str, Any] | None = None) -> StripeApiError:
    code, message = DECLINE_MESSAGES[reason]
    return StripeApiError(
        402,
        message,
        type="card_error",
        code=code,
        param=param,
        decline_code=reason if code in ("card_declined", "expired_card", "incorrect_cvc") else None,
        extra=extra,
    )


def read_card(
    number: object,
    exp_month: Any,
    exp_year: Any,
    cvc: Any,
    now_year: int,
    now_month: int,
    param_prefix: str = "card",
) -> dict[str, Any]:
    """Validate raw card fields as Stripe does and return the private card record."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    if not digits:
        raise StripeApiError(
            400,
            "Missing required param: card[number].",
            code="parameter_missing",
            param=f"{param_prefix}[number]",
        )
    if len(digits) < 13 or not luhn_ok(digits):
        raise StripeApiError(
            402,
            "Your card number is incorrect.",
            type="card_error",
            code="incorrect_number",
            param=f"{param_prefix}[number]",
        )
    try:
        month = int(exp_month)
    except (TypeError, ValueError):
        raise StripeApiError(
            402,
            "Your card's expiration month is invalid.",
            type="card_error",
            code="invalid_expiry_month",
            param=f"{param_prefix}[exp_month]",
        ) from None
    try:
        year = int(exp_year)
    except (TypeError, ValueError):
        raise StripeApiError(
            402,
            "Your card's expiration year is invalid.",
            type="card_error",
            code="invalid_expiry_year",
            param=f"{param_prefix}[exp_year]",
        ) from None
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise StripeApiError(
            402,
            "Your card's expiration month is invalid.",
            type="card_error",
            code="invalid_expiry_month",
            param=f"{param_prefix}[exp_month]",
        )
    if (year, month) < (now_year, now_month):
        raise StripeApiError(
            402,
            "Your card's expiration year is invalid.",
            type="card_error",
            code="invalid_expiry_year",
            param=f"{param_prefix}[exp_year]",
        )
    cvc_text = str(cvc or "")
    if cvc_text and (not cvc_text.isdigit() or len(cvc_text) not in (3, 4)):
        raise StripeApiError(
            402,
            "Your card's security code is invalid.",
            type="card_error",
            code="invalid_cvc",
            param=f"{param_prefix}[cvc]",
        )
    known = TEST_CARDS.get(digits)
    if known is None:
        brand = {"4": "visa", "5": "mastercard", "3": "amex", "6": "discover"}.get(digits[0], "unknown")
        known = TestCard(brand, "credit", OK)
    behaviour = known.behaviour
    return {
        "number_hash": hashlib.sha256(digits.encode()).hexdigest(),
        "fingerprint": hashlib.sha256(("fp" + digits).encode()).hexdigest()[:16],
        "last4": digits[-4:],
        "brand": known.brand,
        "funding": known.funding,
        "exp_month": month,
        "exp_year": year,
        "cvc_check": ("fail" if behaviour == "decline:incorrect_cvc" else "pass") if cvc_text else None,
        "behaviour": behaviour,
    }
