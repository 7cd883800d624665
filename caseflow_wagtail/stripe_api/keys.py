"""Keys and secrets (``key_mode`` itself lives in ``stripe_keys``, which the models use too): a key's mode from its prefix, idempotency keys, and secrets kept out of Stripe's logs."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import stripe

logger = logging.getLogger(__name__)


_SECRET_PATTERN = re.compile(r"\b(?:(?:sk|rk)_(?:test|live)|whsec)_[A-Za-z0-9]+")


class RedactSecrets(logging.Filter):
    """Stripe's library logs response bodies at DEBUG, and a new webhook endpoint's body holds its secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_PATTERN.sub(lambda match: match.group(0).split("_")[0] + "_[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


if not any(isinstance(existing, RedactSecrets) for existing in logging.getLogger("stripe").filters):
    logging.getLogger("stripe").addFilter(RedactSecrets())

API_VERSION: str = stripe.api_version


def idempotency_key(*parts: Any) -> str:
    """A key derived from what makes a request unique, so a retry or a double click cannot repeat it."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"caseflow-{digest[:48]}"
