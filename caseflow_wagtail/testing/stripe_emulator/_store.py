"""The emulator's state: accounts and their objects, settings, the request log, faults and webhook delivery.

Everything here is data and its bookkeeping; what the Stripe API does with it is in ``_resources``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import _versions
from ._core import API_VERSION, Account, RequestLog, new_key_pair, publishable_key_for
from ._faults import ApiFault
from ._webhooks import WebhookDispatcher, active_secrets, encode_event


@dataclass(frozen=True)
class Settlement:
    """The account's settlement currency (None: each charge's own) and its rates from other currencies."""

    currency: str | None = None
    rates: dict[str, Decimal] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "settlement_currency": self.currency,
            "exchange_rates": {k: str(v) for k, v in self.rates.items()},
        }


class Store:
    """Every account behind one emulator, its settings, the request log, the faults and the webhook queue."""

    def __init__(self, secret_key: str | None = None, publishable_key: str | None = None) -> None:
        generated = new_key_pair()
        self.secret_key = secret_key or generated[0]
        self.publishable_key = publishable_key or (
            publishable_key_for(self.secret_key) if secret_key else generated[1]
        )
        self.base_url = ""
        # The default API version of accounts created from now on (Stripe's per-account setting).
        self.account_api_version = API_VERSION
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.pages: dict[str, Account] = {}
        self.requests = RequestLog()
        self.faults: list[ApiFault] = []
        self.merchant_name = "Caseflow Test Firm"
        # Seconds the emulator's own clock runs ahead of the machine's (the control API's "travel").
        self.clock_offset = 0.0
        # Off by default, as Stripe: webhook endpoints on loopback or private addresses are refused.
        self.allow_local_webhooks = False
        self.dispatcher = WebhookDispatcher(self._load_delivery, self._delivered)
        # Asynchronous capture (see _resources/capture.py): "async" (Stripe's default) or "sync", and how
        # many seconds a charge waits for its balance transaction (None: until settled through the control API).
        self.capture_mode = "async"
        self.settle_delay: float | None = 2.0
        self.capture_defaults: tuple[str, float | None] = (self.capture_mode, self.settle_delay)
        # Each charge settles in its own currency until configured otherwise (see _resources/capture.py).
        self.settlement = Settlement()

    def now(self) -> float:
        return time.time() + self.clock_offset

    # -- accounts ------------------------------------------------------------------------------

    def account(self, secret_key: str) -> Account:
        with self.lock:
            acct = self.accounts.get(secret_key)
            if acct is None:
                acct = self.accounts[secret_key] = Account(
                    secret_key, merchant_name=self.merchant_name, api_version=self.account_api_version
                )
            return acct

    def register_page(self, oid: str, acct: Account) -> None:
        self.pages[oid] = acct

    def owner(self, oid: str) -> Account | None:
        with self.lock:
            for acct in self.accounts.values():
                if oid in acct.objects:
                    return acct
        return None

    def reset(self) -> None:
        with self.lock:
            self.accounts.clear()
            self.account_api_version = API_VERSION
            self.pages.clear()
            self.faults.clear()
            self.requests.clear()
            self.clock_offset = 0.0
            self.dispatcher.reset()
            self.capture_mode, self.settle_delay = self.capture_defaults
            self.settlement = Settlement()

    # -- webhook callbacks ---------------------------------------------------------------------

    def _load_delivery(self, delivery: dict[str, Any]) -> tuple[bytes, str, list[str]] | None:
        with self.lock:
            acct = self.accounts.get(delivery["account"])
            if acct is None:
                return None
            event = acct.objects.get(delivery["event"])
            endpoint = acct.objects.get(delivery["endpoint"])
            # Stripe sends nothing more to a disabled endpoint, retries included.
            if event is None or endpoint is None or endpoint["status"] != "enabled":
                return None
            return (
                # An endpoint gets its own API version's rendering; without one, the event's (the account's).
                encode_event(
                    _versions.render_event(acct, event, endpoint["api_version"]), endpoint["api_version"]
                ),
                endpoint["url"],
                active_secrets(acct.priv(endpoint["id"])),
            )

    def _delivered(self, delivery: dict[str, Any]) -> None:
        with self.lock:
            acct = self.accounts.get(delivery["account"])
            event = acct.objects.get(delivery["event"]) if acct else None
            if event is not None and event["pending_webhooks"] > 0:
                event["pending_webhooks"] -= 1
