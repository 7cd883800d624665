"""One connection to Stripe for one account's secret key: timeouts, retries, the pinned API version, and
Stripe's errors turned into ours. The calls themselves are grouped by role in the other modules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import stripe
from django.utils.translation import gettext as _

from .. import conf
from ..exceptions import ConfigurationError
from ..stripe_keys import key_mode
from .errors import translate
from .keys import API_VERSION

logger = logging.getLogger(__name__)


T = TypeVar("T")

# Stripe's limit on the ``types`` filter of GET /v1/events.
MAX_EVENT_TYPES_PER_LIST = 20


class StripeConnection:
    """Stripe for one account's secret key."""

    def __init__(self, secret_key: str, *, client_waiting: bool = False) -> None:
        """``client_waiting``: a person is waiting on the answer (Pay Now, the success page), so the whole
        attempt, retry included, is bounded by ``STRIPE_CLIENT_TIMEOUT`` seconds; otherwise each call may
        take ``STRIPE_TIMEOUT`` seconds and is retried twice."""
        if not secret_key:
            raise ConfigurationError(_("No Stripe secret key is configured."))
        base = conf.get("STRIPE_API_BASE")
        if base and key_mode(secret_key) != "test":
            # A live key must never reach anything but Stripe itself.
            raise ConfigurationError(
                f"{conf.setting_name('STRIPE_API_BASE')} points at a Stripe emulator, which only takes test keys."
            )
        if client_waiting:
            # One retry, and the stripe client's pause before it (at most a second), within the budget.
            retries = 1
            timeout = max(0.5, (float(conf.get("STRIPE_CLIENT_TIMEOUT")) - 1) / (retries + 1))
        else:
            retries, timeout = 2, float(conf.get("STRIPE_TIMEOUT"))
        self._client = stripe.StripeClient(
            secret_key,
            stripe_version=API_VERSION,
            base_addresses={"api": base} if base else None,
            max_network_retries=retries,
            http_client=stripe.new_default_http_client(
                timeout=timeout, proxy=conf.get("STRIPE_PROXY") or None
            ),
        )

    @property
    def v1(self):
        return self._client.v1

    def call(self, operation: Callable[[], T]) -> T:
        """Run one Stripe call, turning its errors into ours."""
        try:
            return operation()
        except stripe.StripeError as error:
            failure = translate(error)
            logger.warning(
                "Stripe call failed: %s (request %s)", type(error).__name__, getattr(error, "request_id", "")
            )
            raise failure from error

    # -- account ---------------------------------------------------------------------------------------

    def verify_key(self) -> None:
        """Raise unless Stripe accepts the key (cheapest authenticated read)."""
        self.call(lambda: self.v1.customers.list(params={"limit": 1}))
