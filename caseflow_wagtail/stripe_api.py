"""The only module that talks to Stripe.

One ``StripeGateway`` per site's keys, pinned to the API version of the installed stripe library, with
deterministic idempotency keys on writes and Stripe's errors turned into ours (safe to show to staff).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import stripe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import conf
from .exceptions import CaseflowError, ConfigurationError

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
T = TypeVar("T")

# Stripe's limit on the ``types`` filter of GET /v1/events.
MAX_EVENT_TYPES_PER_LIST = 20


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


def key_mode(key: str) -> str:
    """``"test"``, ``"live"`` or ``""`` from a Stripe key's prefix."""
    for prefix in ("pk_", "sk_", "rk_"):
        if key.startswith(prefix + "test_"):
            return "test"
        if key.startswith(prefix + "live_"):
            return "live"
    return ""


def idempotency_key(*parts: Any) -> str:
    """A key derived from what makes a request unique, so a retry or a double click cannot repeat it."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"caseflow-{digest[:48]}"


def _translate(error: stripe.StripeError) -> StripeFailure:
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


@dataclass(frozen=True, slots=True)
class WebhookSetup:
    endpoint_id: str
    secret: str  # only when the endpoint was (re)created; empty when an existing one was updated
    created: bool


class StripeGateway:
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
            failure = _translate(error)
            logger.warning(
                "Stripe call failed: %s (request %s)", type(error).__name__, getattr(error, "request_id", "")
            )
            raise failure from error

    # -- account ---------------------------------------------------------------------------------------

    def verify_key(self) -> None:
        """Raise unless Stripe accepts the key (cheapest authenticated read)."""
        self.call(lambda: self.v1.customers.list(params={"limit": 1}))

    # -- webhooks --------------------------------------------------------------------------------------

    def ensure_webhook_endpoint(self, url: str, events: Iterable[str], known_id: str = "") -> WebhookSetup:
        """Make exactly one endpoint at ``url`` exist with these events and our API version.

        An endpoint we created before is updated in place (its secret stays valid). One at the same URL
        whose secret we do not hold, or pinned to another API version, is replaced, since Stripe reveals a
        signing secret only when the endpoint is created.
        """
        events = sorted(set(events))
        existing = None
        if known_id:
            try:
                existing = self.call(lambda: self.v1.webhook_endpoints.retrieve(known_id))
            except StripeRequestRejected:
                existing = None  # deleted in Stripe's dashboard: recreate it below
        if existing is not None and existing.api_version == API_VERSION:
            updated = self.call(
                lambda: self.v1.webhook_endpoints.update(
                    existing.id, params={"url": url, "enabled_events": events, "disabled": False}
                )
            )
            return WebhookSetup(endpoint_id=updated.id, secret="", created=False)
        for endpoint in self._endpoints():
            if endpoint.url == url or (existing is not None and endpoint.id == existing.id):
                self.call(partial(self.v1.webhook_endpoints.delete, endpoint.id))
        created = self.call(
            lambda: self.v1.webhook_endpoints.create(
                params={
                    "url": url,
                    "enabled_events": events,
                    "api_version": API_VERSION,
                    "description": "caseflow-wagtail",
                },
                options={"idempotency_key": idempotency_key("webhook-endpoint", url, known_id, *events)},
            )
        )
        return WebhookSetup(endpoint_id=created.id, secret=created.secret or "", created=True)

    def _endpoints(self) -> list[Any]:
        found: list[Any] = []
        page = self.call(lambda: self.v1.webhook_endpoints.list(params={"limit": 100}))
        found.extend(page.data)
        while page.has_more and page.data:
            last = page.data[-1].id
            page = self.call(
                partial(self.v1.webhook_endpoints.list, params={"limit": 100, "starting_after": last})
            )
            found.extend(page.data)
        return found

    # -- Checkout ------------------------------------------------------------------------------------

    def create_checkout_session(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        session = self.call(
            lambda: self.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
        )
        return _plain(session)

    def retrieve_checkout_session(self, session_id: str) -> dict[str, Any]:
        """The session with its PaymentIntent, charge and balance transaction (for the fee) expanded."""
        session = self.call(
            lambda: self.v1.checkout.sessions.retrieve(
                session_id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
            )
        )
        return _plain(session)

    def expire_checkout_session(self, session_id: str) -> dict[str, Any]:
        """Close a session's payment page now (Stripe refuses one that is no longer open)."""
        return _plain(self.call(lambda: self.v1.checkout.sessions.expire(session_id)))

    def retrieve_balance_transaction(self, balance_transaction_id: str) -> dict[str, Any]:
        """A charge's balance transaction: Stripe's fee and net, in the settlement currency."""
        return _plain(self.call(lambda: self.v1.balance_transactions.retrieve(balance_transaction_id)))

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        """A charge with its balance transaction expanded (null until asynchronous capture finishes)."""
        return _plain(
            self.call(lambda: self.v1.charges.retrieve(charge_id, params={"expand": ["balance_transaction"]}))
        )

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        """A PaymentIntent with its latest charge and that charge's balance transaction expanded."""
        return _plain(
            self.call(
                lambda: self.v1.payment_intents.retrieve(
                    payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
                )
            )
        )

    # -- subscriptions ---------------------------------------------------------------------------------

    def create_customer(self, *, email: str, metadata: dict[str, str], key: str) -> dict[str, Any]:
        params: dict[str, Any] = {"metadata": metadata}
        if email:
            params["email"] = email
        return _plain(
            self.call(lambda: self.v1.customers.create(params=params, options={"idempotency_key": key}))
        )

    def customer_exists(self, customer_id: str) -> bool:
        """Whether Stripe still has the customer (one deleted in the dashboard answers ``deleted``)."""
        try:
            customer = self.call(lambda: self.v1.customers.retrieve(customer_id))
        except StripeRequestRejected:
            return False
        return not getattr(customer, "deleted", False)

    def create_product(self, *, name: str, metadata: dict[str, str], key: str) -> dict[str, Any]:
        return _plain(
            self.call(
                lambda: self.v1.products.create(
                    params={"name": name, "metadata": metadata}, options={"idempotency_key": key}
                )
            )
        )

    def create_recurring_price(
        self,
        *,
        product: str,
        amount_minor: int,
        currency: str,
        interval: str,
        interval_count: int,
        key: str,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "product": product,
            "unit_amount": amount_minor,
            "currency": currency.lower(),
            "recurring": {"interval": interval, "interval_count": interval_count},
        }
        return _plain(
            self.call(lambda: self.v1.prices.create(params=params, options={"idempotency_key": key}))
        )

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return _plain(self.call(lambda: self.v1.subscriptions.retrieve(subscription_id)))

    def update_subscription(self, subscription_id: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        return _plain(
            self.call(
                lambda: self.v1.subscriptions.update(
                    subscription_id, params=params, options={"idempotency_key": key}
                )
            )
        )

    def cancel_subscription(self, subscription_id: str, key: str) -> dict[str, Any]:
        return _plain(
            self.call(lambda: self.v1.subscriptions.cancel(subscription_id, options={"idempotency_key": key}))
        )

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        return _plain(self.call(lambda: self.v1.invoices.retrieve(invoice_id)))

    def retrieve_payment_method(self, payment_method_id: str) -> dict[str, Any]:
        return _plain(self.call(lambda: self.v1.payment_methods.retrieve(payment_method_id)))

    def invoice_payment_intent(self, invoice_id: str) -> str:
        """The PaymentIntent that paid a Stripe invoice; empty when none did.

        Since API version 2025-03-31 an invoice no longer names its PaymentIntent: its payments do.
        """
        page = self.call(lambda: self.v1.invoice_payments.list(params={"invoice": invoice_id, "limit": 10}))
        for payment in _plain(page).get("data") or []:
            if payment.get("status") == "paid":
                intent = (payment.get("payment") or {}).get("payment_intent")
                return (intent.get("id") if isinstance(intent, dict) else intent) or ""
        return ""

    def ensure_portal_configuration(self, params: dict[str, Any], known_id: str, key: str) -> str:
        """The id of a customer-portal configuration with these settings: ``known_id`` brought up to date
        (and active again), or a new one when Stripe no longer has it (another account's key, say)."""
        if known_id:
            try:
                updated = self.call(
                    lambda: self.v1.billing_portal.configurations.update(
                        known_id, params={**params, "active": True}
                    )
                )
                return updated.id
            except StripeRequestRejected as rejected:
                if rejected.code != "resource_missing":
                    raise
        created = self.call(
            lambda: self.v1.billing_portal.configurations.create(
                params=params, options={"idempotency_key": key}
            )
        )
        return created.id

    def create_portal_session(self, *, customer: str, return_url: str, configuration: str) -> dict[str, Any]:
        """A billing-portal session that only replaces the card, then sends the client back.

        ``configuration`` is always given: an account whose portal settings were never saved in the
        Dashboard has no default one, and Stripe refuses a session without it.
        """
        params: dict[str, Any] = {
            "customer": customer,
            "configuration": configuration,
            "return_url": return_url,
            "flow_data": {
                "type": "payment_method_update",
                "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
            },
        }
        return _plain(self.call(lambda: self.v1.billing_portal.sessions.create(params=params)))

    def webhook_endpoint_status(self, endpoint_id: str) -> str:
        """``enabled``, ``disabled`` or ``missing``."""
        try:
            endpoint = self.call(lambda: self.v1.webhook_endpoints.retrieve(endpoint_id))
        except StripeRequestRejected:
            return "missing"
        return endpoint.status

    # -- reconciliation --------------------------------------------------------------------------------

    def charge_refunds(self, charge_id: str) -> list[dict[str, Any]]:
        """Every refund of a charge, oldest first.

        A Charge no longer includes its refunds unless expanded (API change of 2022-11-15), and a webhook
        event's object is never expanded, so they are listed here.
        """
        params: dict[str, Any] = {"charge": charge_id, "limit": 100}
        found: list[dict[str, Any]] = []
        page = self.call(lambda: self.v1.refunds.list(params=params))
        found.extend(_plain(refund) for refund in page.data)
        while page.has_more and page.data:
            last = page.data[-1].id
            page = self.call(partial(self.v1.refunds.list, params={**params, "starting_after": last}))
            found.extend(_plain(refund) for refund in page.data)
        found.reverse()
        return found

    def retrieve_object(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        """The object an event is about, as it is now and at the pinned API version; None if Stripe no
        longer has it (deleted), or if the plugin cannot fetch that kind of object."""
        services = {
            "charge": lambda: self.v1.charges,
            "checkout.session": lambda: self.v1.checkout.sessions,
            "customer": lambda: self.v1.customers,
            "dispute": lambda: self.v1.disputes,
            "invoice": lambda: self.v1.invoices,
            "payment_intent": lambda: self.v1.payment_intents,
            "refund": lambda: self.v1.refunds,
            "subscription": lambda: self.v1.subscriptions,
        }
        service = services.get(object_type)
        if service is None:
            return None
        try:
            return _plain(service().retrieve(object_id))
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return None
            raise _translate(error) from error
        except stripe.StripeError as error:
            raise _translate(error) from error

    def events_since(self, created_gte: int, types: Iterable[str]) -> list[dict[str, Any]]:
        """Every event of these types created at or after ``created_gte`` (Unix time), oldest first.

        Stripe lists newest first and keeps 30 days of events; all pages are read so nothing is skipped.
        ``types`` takes at most 20 names a request, so longer lists are asked for in groups.
        """
        wanted = sorted(set(types))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), MAX_EVENT_TYPES_PER_LIST):
            group = wanted[start : start + MAX_EVENT_TYPES_PER_LIST]
            params: dict[str, Any] = {"limit": 100, "created": {"gte": created_gte}, "types": group}
            listed: list[dict[str, Any]] = []
            page = self.call(partial(self.v1.events.list, params=params))
            listed.extend(_plain(event) for event in page.data)
            while page.has_more and page.data:
                last = page.data[-1].id
                page = self.call(partial(self.v1.events.list, params={**params, "starting_after": last}))
                listed.extend(_plain(event) for event in page.data)
            found.extend(reversed(listed))
        # Oldest first; within one group Stripe's own order is kept. Events of different groups created
        # in the same second have no order Stripe tells, and the handlers do not depend on one.
        found.sort(key=lambda event: event.get("created") or 0)
        return found


# -- webhooks ------------------------------------------------------------------------------------------


class WebhookSignatureInvalid(StripeFailure):
    """The Stripe-Signature header is missing, forged, stale or from the future."""


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


# -- Checkout ----------------------------------------------------------------------------------------------


def _plain(obj: Any) -> dict[str, Any]:
    """Stripe's objects as plain dicts, so nothing outside this module handles stripe types.

    stripe-python turns Stripe's decimal strings (``unit_amount_decimal``, ``quantity_decimal`` …) into
    ``Decimal``; they go back to the strings Stripe sent, so a fetched object is shaped like a webhook's
    and can be stored as JSON (an event's payload).
    """
    return _wire(obj.to_dict() if hasattr(obj, "to_dict") else dict(obj))


def _wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


def checkout_session_params(
    *,
    amount_minor: int,
    currency: str,
    line_name: str,
    customer_email: str,
    description: str,
    metadata: dict[str, str],
    client_reference_id: str,
    success_url: str,
    cancel_url: str,
    expires_at: int,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "payment",
        "allowed_payment_method_types": ["card"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount_minor,
                    "product_data": {"name": line_name},
                },
            }
        ],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        "payment_intent_data": {"description": description, "metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
    }
    if customer_email:
        params["customer_email"] = customer_email
    return params


def subscription_checkout_params(
    *,
    customer: str,
    price: str,
    metadata: dict[str, str],
    client_reference_id: str,
    success_url: str,
    cancel_url: str,
    expires_at: int,
) -> dict[str, Any]:
    """A Checkout Session in subscription mode: the client saves a card and pays the first cycle."""
    return {
        "mode": "subscription",
        "customer": customer,
        "allowed_payment_method_types": ["card"],
        "line_items": [{"price": price, "quantity": 1}],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        # On the subscription too, so its invoices (parent.subscription_details) say whose they are.
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
    }
