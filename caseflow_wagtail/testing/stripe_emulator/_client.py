"""Python access to the control API (``/_emulator/``) of an emulator running anywhere on this machine."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any


class EmulatorError(RuntimeError):
    """The control API refused a request."""


class EmulatorClient:
    """Python access to the ``/_emulator/`` control API of an emulator running anywhere on this machine."""

    def __init__(
        self, base_url: str, secret_key: str | None = None, publishable_key: str | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if secret_key is None:
            info = self._call("GET", "/health")
            secret_key, publishable_key = info["secret_key"], info["publishable_key"]
        self.secret_key: str = secret_key
        self.publishable_key: str = publishable_key or ""

    def _call(
        self,
        method: str,
        route: str,
        payload: dict[str, Any] | None = None,
        query: Mapping[str, str | None] | None = None,
    ) -> Any:
        url = f"{self.base_url}/_emulator{route}"
        if query:
            url += "?" + "&".join(
                f"{k}={urllib.parse.quote(str(v))}" for k, v in query.items() if v is not None
            )
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback control API
            url,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read().decode(errors="replace")
            raise EmulatorError(f"{method} {route} → {exc.code}: {body}") from None

    # -- state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every object, event, request, delivery and fault (keys keep working)."""
        self._call("POST", "/reset")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change ``webhook_time_scale``, ``webhook_retry_schedule`` (seconds), ``webhook_timeout``,
        ``merchant_name``, ``allow_local_webhooks``, ``capture_mode`` (``"async"``, Stripe's default, or
        ``"sync"``), ``settle_delay`` (seconds until an async charge gets its balance transaction;
        ``None``: only when ``settle()`` is called) or ``account_api_version`` (the account's default API
        version, which events are created with: every account's, or with ``secret_key=`` one account's).
        ``settlement_currency`` and ``exchange_rates`` (``{"jpy": "0.0067"}``) make balance transactions
        settle in another currency, as on a Stripe account that settles in one currency (``None`` and
        ``{}``: each charge in its own). ``reset()`` restores the capture settings the emulator started
        with and settlement in each charge's currency."""
        return self._call("POST", "/config", settings)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Stripe API requests received, oldest first (params decoded, status, idempotency key)."""
        return self._call("GET", "/requests", query={"method": method, "path": path})["data"]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """Webhook deliveries with every attempt.

        Filter by ``event``, ``type``, ``endpoint`` or ``status``.
        """
        return self._call("GET", "/deliveries", query=filters)["data"]

    def wait_for_deliveries(
        self,
        condition: Callable[[list[dict[str, Any]]], bool] | None = None,
        timeout: float = 10.0,
        **filters: str,
    ) -> list[dict[str, Any]]:
        """Poll until ``condition(deliveries)`` holds (default: none pending or retrying, and no injected
        duplicate still to be sent)."""

        def settled(items: list[dict[str, Any]]) -> bool:
            return all(
                d["status"] not in ("pending", "retrying") and not d.get("duplicates_pending") for d in items
            )

        check = condition or settled
        deadline = time.monotonic() + timeout
        while True:
            items = self.deliveries(**filters)
            if check(items):
                return items
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"webhook deliveries did not settle in {timeout}s: "
                    f"{[(d['type'], d['status']) for d in items]}"
                )
            time.sleep(0.02)

    # -- faults --------------------------------------------------------------------------------

    def fail_next(
        self,
        path: str = "/v1/*",
        status: int = 500,
        count: int = 1,
        method: str | None = None,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """Make the next ``count`` requests to ``path`` fail with ``status`` (429, 500 …), after ``delay``.

        ``path`` is exact, or a prefix when it ends with ``*``. With ``after`` the request is carried out
        first and then answered with the failure, as a Stripe 500 in mid-request is: its objects and
        events exist, and a retry with the same idempotency key gets the same failure back.
        """
        self._call(
            "POST",
            "/faults",
            {
                "path": path,
                "status": status,
                "count": count,
                "method": method,
                "delay": delay,
                "after": after,
            },
        )

    def delay_next(
        self, path: str = "/v1/*", seconds: float = 1.0, count: int = 1, method: str | None = None
    ) -> None:
        """Hold the next ``count`` requests for ``seconds`` (longer than the client's timeout = a timeout)."""
        self._call("POST", "/faults", {"path": path, "delay": seconds, "count": count, "method": method})

    def webhook_fault(
        self, mode: str, count: int = 1, delay: float = 0.0, types: list[str] | None = None
    ) -> None:
        """Apply a fault to the next ``count`` deliveries.

        ``mode`` is ``duplicate``, ``reorder``, ``delay``, ``wrong_secret`` or ``drop``.
        """
        self._call("POST", "/webhook_faults", {"mode": mode, "count": count, "delay": delay, "types": types})

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # -- what a user would do in Stripe's dashboard --------------------------------------------

    def refund(
        self,
        payment_intent: str | None = None,
        charge: str | None = None,
        amount: int | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        return self._call("POST", "/actions/refund", _charge_action(payment_intent, charge, amount, reason))

    def dispute(
        self,
        payment_intent: str | None = None,
        charge: str | None = None,
        amount: int | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Open a dispute on a charge (by it or its PaymentIntent): emits ``charge.dispute.created``."""
        payload = _charge_action(payment_intent, charge, amount, reason)
        return self._call("POST", "/actions/dispute", {"action": "open", **payload})

    def update_dispute(self, dispute: str, status: str = "under_review") -> dict[str, Any]:
        """Evidence submitted: emits ``charge.dispute.updated``."""
        return self._call(
            "POST", "/actions/dispute", {"action": "update", "dispute": dispute, "status": status}
        )

    def close_dispute(self, dispute: str, status: str) -> dict[str, Any]:
        """The network decides, ``won`` or ``lost``: emits ``charge.dispute.closed``."""
        return self._call(
            "POST", "/actions/dispute", {"action": "close", "dispute": dispute, "status": status}
        )

    def advance_clock(
        self, test_clock: str, frozen_time: int | None = None, seconds: int | None = None
    ) -> dict:
        payload: dict[str, Any] = {"test_clock": test_clock}
        if frozen_time is not None:
            payload["frozen_time"] = frozen_time
        if seconds is not None:
            payload["seconds"] = seconds
        return self._call("POST", "/actions/advance_clock", payload)

    def settle(self, payment_intent: str | None = None, charge: str | None = None) -> list[dict[str, Any]]:
        """Finish asynchronous capture now: each pending charge (or just this one) gets its balance
        transaction, and ``charge.updated`` is sent. Returns the charges settled."""
        payload = {k: v for k, v in {"payment_intent": payment_intent, "charge": charge}.items() if v}
        return self._call("POST", "/actions/settle", payload)["data"]

    def expire_session(self, session_id: str) -> dict[str, Any]:
        return self._call("POST", "/actions/expire_session", {"session": session_id})

    def save_portal_settings(self, secret_key: str | None = None) -> dict[str, Any]:
        """Save the customer portal settings, as in the Dashboard: the account (this emulator's key unless
        another is given) gets a default configuration, so portal sessions need no ``configuration``."""
        return self._call(
            "POST", "/actions/save_portal_settings", {"secret_key": secret_key or self.secret_key}
        )

    def resend_event(self, event_id: str) -> dict[str, Any]:
        return self._call("POST", "/actions/resend_event", {"event": event_id})

    def travel(self, seconds: float) -> float:
        """Move the emulator's own clock forward (idempotency keys expire after 24 hours of it)."""
        return self._call("POST", "/actions/travel", {"seconds": seconds})["clock_offset"]

    def roll_webhook_secret(self, endpoint_id: str, expires_in: float = 86400) -> str:
        """The Dashboard's "Roll secret": returns the new ``whsec_``; the old one also signs deliveries
        (a second ``v1``) until ``expires_in`` seconds have passed (0: it stops at once)."""
        return self._call(
            "POST", "/actions/roll_webhook_secret", {"endpoint": endpoint_id, "expires_in": expires_in}
        )["secret"]

    # -- convenience ---------------------------------------------------------------------------

    def stripe_client(self, **options: Any) -> Any:
        """A ``stripe.StripeClient`` pointed here (stripe-python must be installed)."""
        import stripe

        options.setdefault("max_network_retries", 0)
        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.base_url}, **options)


def _charge_action(
    payment_intent: str | None, charge: str | None, amount: int | None, reason: str | None
) -> dict[str, Any]:
    """The body of a refund or a dispute opened from the Dashboard: only what was given is sent, so that
    what was not takes the emulator's default, as a parameter left out of a Stripe request does."""
    given = {"payment_intent": payment_intent, "charge": charge, "amount": amount, "reason": reason}
    return {k: v for k, v in given.items() if v is not None}
