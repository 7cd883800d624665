"""Verifying a webhook delivery: the signature against each secret, the timestamp, and strict JSON."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import stripe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from .errors import WebhookSignatureInvalid

logger = logging.getLogger(__name__)


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _strict_json(text: str) -> Any:
    """JSON as Stripe writes it: no NaN or Infinity, and no nesting deep enough to exhaust the stack."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise ValueError("nested too deeply") from None


@sensitive_variables("secrets", "secret")
def verify_webhook(
    payload: bytes, header: str, secrets: Iterable[str], tolerance: int = 300
) -> dict[str, Any]:
    """Check a delivery's signature against each secret (two during a rotation) and return the event.

    Stripe's library rejects stale timestamps but not ones in the future; those are refused here too, so a
    captured signature cannot be made to last longer by forging the clock.
    """
    if not header:
        raise WebhookSignatureInvalid(_("The Stripe-Signature header is missing."))
    timestamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
    try:
        timestamp = int(timestamps[0])
    except (IndexError, ValueError):
        raise WebhookSignatureInvalid(_("The Stripe-Signature header has no timestamp.")) from None
    if timestamp > time.time() + tolerance:
        raise WebhookSignatureInvalid(_("The Stripe-Signature timestamp is in the future."))
    text = payload.decode("utf-8", errors="strict")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, header, secret, tolerance=tolerance)
        except stripe.SignatureVerificationError:
            continue
        event = _strict_json(text)
        if not isinstance(event, dict) or event.get("object") != "event":
            raise ValueError("not a Stripe event")
        return event
    raise WebhookSignatureInvalid(_("No signing secret matches the Stripe-Signature header."))
