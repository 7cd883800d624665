"""Calls about the account itself: its webhook endpoint, the events Stripe keeps, any object by its type."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import stripe

from .connection import MAX_EVENT_TYPES_PER_LIST, StripeConnection
from .errors import StripeRequestRejected, translate
from .keys import API_VERSION, idempotency_key
from .params import plain

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebhookSetup:
    endpoint_id: str
    secret: str  # only when the endpoint was (re)created; empty when an existing one was updated
    created: bool


class AccountCalls(StripeConnection):
    """The webhook endpoint, listed events, and objects fetched again by type."""

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

    def webhook_endpoint_status(self, endpoint_id: str) -> str:
        """``enabled``, ``disabled`` or ``missing``."""
        try:
            endpoint = self.call(lambda: self.v1.webhook_endpoints.retrieve(endpoint_id))
        except StripeRequestRejected:
            return "missing"
        return endpoint.status

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
            return plain(service().retrieve(object_id))
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return None
            raise translate(error) from error
        except stripe.StripeError as error:
            raise translate(error) from error

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
            listed.extend(plain(event) for event in page.data)
            while page.has_more and page.data:
                last = page.data[-1].id
                page = self.call(partial(self.v1.events.list, params={**params, "starting_after": last}))
                listed.extend(plain(event) for event in page.data)
            found.extend(reversed(listed))
        # Oldest first; within one group Stripe's own order is kept. Events of different groups created
        # in the same second have no order Stripe tells, and the handlers do not depend on one.
        found.sort(key=lambda event: event.get("created") or 0)
        return found
