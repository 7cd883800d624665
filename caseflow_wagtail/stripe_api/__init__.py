"""The only part of the plugin that talks to Stripe.

One ``StripeGateway`` per site's keys (build it with ``stripe_client.for_site``), pinned to the API version of
the installed stripe library, with deterministic idempotency keys on writes and Stripe's errors turned into
ours (safe to show to staff). By role:

- ``connection``: the HTTP client for one secret key (timeouts, retries, the pinned version);
- ``payments``, ``billing``, ``account``: the calls, on top of it, combined in ``gateway.StripeGateway``;
- ``params``: the Checkout Sessions' parameters; ``webhooks``: verifying a delivery;
- ``errors`` and ``keys``: what Stripe's failures mean, and what a key says about itself.

Nothing here imports the plugin's models: it knows keys, ids and Stripe objects only.
"""

from ..stripe_keys import key_mode
from .account import WebhookSetup
from .errors import (
    CardDeclined,
    StripeAuthenticationFailed,
    StripeFailure,
    StripeRequestRejected,
    StripeUnavailable,
    WebhookSignatureInvalid,
)
from .gateway import StripeGateway
from .keys import API_VERSION, RedactSecrets, idempotency_key
from .params import checkout_session_params, subscription_checkout_params
from .webhooks import verify_webhook

__all__ = [
    "API_VERSION",
    "CardDeclined",
    "RedactSecrets",
    "StripeAuthenticationFailed",
    "StripeFailure",
    "StripeGateway",
    "StripeRequestRejected",
    "StripeUnavailable",
    "WebhookSetup",
    "WebhookSignatureInvalid",
    "checkout_session_params",
    "idempotency_key",
    "key_mode",
    "subscription_checkout_params",
    "verify_webhook",
]
