"""A local, stateful Stripe for tests and demos: the real HTTP API, hosted pages and signed webhooks.

Standard library only; stripe-python is imported lazily (to read its parameter TypedDicts) when present.

Layout, cut by role and, for the Stripe API, by resource (as django-anymail keeps one module per provider on
small base classes). Every module but this one is private: what this one exports (``__all__``) is the
public API, with the HTTP routes (``_routes``) and the control API (``_control``).

Foundations: import nothing of the emulator's but other foundations.
    ``_core``          ids, keys, ``Account`` (one secret key's objects), the request context, the request log
    ``_errors``        Stripe's error shape; ``_values`` reads parameters; ``_forms`` Stripe's form encoding
    ``_params``        checks parameters against stripe-python's TypedDicts; ``_routes`` the route table
    ``_cards``         test card numbers; ``_search`` the search query language; ``_webhook_urls`` endpoint URLs
    ``_objects/``      builders of Stripe objects (catalog, payments, charges, developers)
    ``_versions``      rendering an event at an older API version
    ``_webhooks``      webhook delivery: signing, the retry queue, delivery faults
    ``_faults``        injected API failures
State:
    ``_store``         ``Store``: every account, the settings, the request log, faults, the webhook queue
Stripe's API, one module per resource in ``_resources/``, each a class of handlers on ``base.Resource``:
    ``base``           the store, clocks, ``emit`` (events), lookups, pagination, search, and
                       ``SharedHandlers``: the handlers resources call on one another, declared for mypy
    ``customers``, ``products`` (and prices), ``payment_methods``, ``payment_intents`` (confirmation, 3-D
    Secure), ``capture`` (asynchronous capture: when a charge gets its balance transaction), ``charges``
    (balance transactions, refunds), ``disputes``, ``setup_intents``, ``checkout`` (sessions),
    ``checkout_completion`` (what the hosted page's payment creates), ``subscriptions``, ``invoices``,
    ``invoice_payments`` (collection, retries), ``clocks`` (test clocks), ``portal_configurations``,
    ``billing_portal`` (sessions), ``webhook_endpoints``, ``events``
    A resource imports foundations, ``_store``, ``base`` and the module-level helpers of ``capture`` and
    ``portal_configurations``; it calls other resources' handlers through ``self`` (the composed ``Api``),
    never by importing their modules. Layers above may import resources' module-level helpers.
    ``_api``           ``Api``: every resource class composed, and the fields only ``expand[]`` brings
    ``_state``         ``EmulatorState``: the store with its ``Api``
Serving, above the API:
    ``_v1``            ``/v1`` requests: keys, faults, routing, parameter checks, idempotency, ``expand[]``
    ``_hosted/``       hosted pages: ``dispatch``, ``checkout``, ``portal``, ``payment`` (3-D Secure),
                       ``invoice`` (the hosted invoice page), ``pages`` (their HTML); they answer with a
                       ``Page`` or ``Redirect`` and change state only through ``Api``
    ``_control``       ``/_emulator/``: reset, inspection, faults, configuration, Dashboard actions
    ``_server``        HTTP only: reads requests, hands them to ``_v1``, ``_hosted`` or ``_control``
Entry points: ``_client`` (``EmulatorClient``, standard library only), ``_runner`` (``StripeEmulator``),
this module and ``__main__`` (the command line).

Each layer imports only the layers listed before it, in functions and ``TYPE_CHECKING`` blocks too, so the
emulator's modules import one another without a cycle.
"""

from __future__ import annotations

from ._client import EmulatorClient, EmulatorError
from ._core import API_VERSION
from ._runner import StripeEmulator
from ._server import ensure_loopback
from ._webhooks import LIVE_MODE_RETRY_SCHEDULE, TEST_MODE_RETRY_SCHEDULE, sign

__all__ = [
    "API_VERSION",
    "LIVE_MODE_RETRY_SCHEDULE",
    "TEST_MODE_RETRY_SCHEDULE",
    "EmulatorClient",
    "EmulatorError",
    "StripeEmulator",
    "ensure_loopback",
    "sign",
]
