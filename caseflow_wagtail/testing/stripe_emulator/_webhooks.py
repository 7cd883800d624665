"""Signed, asynchronous, retried webhook delivery, with faults a test can switch on."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._core import new_id

# Stripe's docs ("Webhooks: retry behavior"): in a sandbox (test mode, the only mode the emulator has) a
# failed delivery is retried three times over a few hours; in live mode for up to three days with
# exponential backoff. Stripe publishes no exact gaps, so these are plausible ones. Expressed in Stripe's
# seconds; ``time_scale`` shrinks them so a test sees the whole schedule in moments.
TEST_MODE_RETRY_SCHEDULE: tuple[float, ...] = (3600, 7200, 10800)
LIVE_MODE_RETRY_SCHEDULE: tuple[float, ...] = (60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 72000)
DEFAULT_TIME_SCALE = 1 / 3600  # an hour of Stripe's schedule takes a second here

FAULT_MODES = ("duplicate", "reorder", "delay", "wrong_secret", "drop")


def sign(payload: bytes, secret: str | list[str], timestamp: int) -> str:
    """The ``Stripe-Signature`` header value Stripe sends: ``t=…,v1=…`` (HMAC-SHA256 of ``t.payload``).

    While a rolled secret's old value has not expired, Stripe signs with every active secret, one ``v1``
    each, so a receiver that still has the old secret keeps verifying.
    """
    signed = f"{timestamp}.".encode() + payload
    secrets = [secret] if isinstance(secret, str) else secret
    digests = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    return f"t={timestamp}," + ",".join(f"v1={digest}" for digest in digests)


def active_secrets(endpoint_private: dict[str, Any], now: float | None = None) -> list[str]:
    """The endpoint's current secret, then any rolled-away secret that has not expired yet."""
    now = time.time() if now is None else now
    rolled = [s for s, expires in endpoint_private.get("rolled_secrets", []) if expires > now]
    return [endpoint_private["secret"], *rolled]


def roll_secret(endpoint_private: dict[str, Any], expires_in: float, now: float | None = None) -> str:
    """A new signing secret, as the Dashboard's "Roll secret" makes; the old one signs until it expires
    (``expires_in`` 0: at once)."""
    now = time.time() if now is None else now
    old = endpoint_private["secret"]
    endpoint_private["secret"] = "whsec_" + new_id("", 32)
    if expires_in > 0:
        endpoint_private.setdefault("rolled_secrets", []).append((old, now + expires_in))
    return endpoint_private["secret"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Stripe follows no redirect: a 3xx answer is a failed delivery, retried like any other.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Fault:
    mode: str
    remaining: int = 1
    delay: float = 0.0
    types: tuple[str, ...] = ()

    def matches(self, event_type: str) -> bool:
        return self.remaining > 0 and (not self.types or event_type in self.types)


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    delivery: dict[str, Any] = field(compare=False)
    wrong_secret: bool = field(default=False, compare=False)
    duplicate_of_success: bool = field(default=False, compare=False)


Loader = Callable[[dict[str, Any]], tuple[bytes, str, list[str]] | None]


class WebhookDispatcher:
    def __init__(self, load: Loader, on_delivered: Callable[[dict[str, Any]], None]) -> None:
        self._load = load
        self._on_delivered = on_delivered
        self._heap: list[_Job] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._held: list[dict[str, Any]] = []
        self._held_since = 0.0
        self._stopped = False
        self.deliveries: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.time_scale = DEFAULT_TIME_SCALE
        self.schedule: tuple[float, ...] = TEST_MODE_RETRY_SCHEDULE
        self.timeout = 10.0
        self.reorder_hold = 0.5
        self._thread = threading.Thread(target=self._run, name="stripe-emulator-webhooks", daemon=True)
        self._thread.start()

    # -- configuration -------------------------------------------------------------------------

    def add_fault(
        self, mode: str, count: int = 1, delay: float = 0.0, types: list[str] | None = None
    ) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown webhook fault {mode!r}; choose from {', '.join(FAULT_MODES)}")
        with self._cond:
            self.faults.append(Fault(mode, count, delay, tuple(types or ())))

    def reset(self) -> None:
        with self._cond:
            self._heap.clear()
            self._held.clear()
            self.deliveries.clear()
            self.faults.clear()
            self.time_scale = DEFAULT_TIME_SCALE
            self.schedule = TEST_MODE_RETRY_SCHEDULE
            self.timeout = 10.0

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=2)

    # -- queueing ------------------------------------------------------------------------------

    def _take_fault(self, mode: str, event_type: str) -> Fault | None:
        for fault in self.faults:
            if fault.mode == mode and fault.matches(event_type):
                fault.remaining -= 1
                return fault
        return None

    def enqueue(self, account_key: str, event: dict[str, Any], endpoint: dict[str, Any]) -> None:
        delivery = {
            "id": new_id("whdel_"),
            "account": account_key,
            "event": event["id"],
            "type": event["type"],
            "endpoint": endpoint["id"],
            "url": endpoint["url"],
            "status": "pending",
            "attempts": [],
            "created": time.time(),
        }
        with self._cond:
            self.deliveries.append(delivery)
            if self._take_fault("drop", event["type"]):
                delivery["status"] = "dropped"
                return
            due = time.time()
            delay = self._take_fault("delay", event["type"])
            if delay:
                due += delay.delay
            wrong = bool(self._take_fault("wrong_secret", event["type"]))
            if self._take_fault("reorder", event["type"]):
                delivery["_due"], delivery["_wrong"] = due, wrong
                self._held.append(delivery)
                self._held_since = self._held_since or time.time()
                if not any(f.mode == "reorder" and f.matches(event["type"]) for f in self.faults):
                    self._release_held()
            else:
                self._push(due, delivery, wrong)
            if self._take_fault("duplicate", event["type"]):
                # Counted until sent, so that waiting for deliveries waits for the copy too.
                delivery["duplicates_pending"] = delivery.get("duplicates_pending", 0) + 1
                self._push(due + 0.05, delivery, wrong, duplicate=True)
            self._cond.notify_all()

    def _push(self, due: float, delivery: dict[str, Any], wrong: bool, duplicate: bool = False) -> None:
        heapq.heappush(self._heap, _Job(due, next(self._seq), delivery, wrong, duplicate))

    def _release_held(self) -> None:
        # Held deliveries go out newest first, which is the reordering a test asked for.
        base = time.time()
        for i, delivery in enumerate(reversed(self._held)):
            self._push(max(base, delivery.pop("_due")) + i * 0.001, delivery, delivery.pop("_wrong"))
        self._held.clear()
        self._held_since = 0.0

    # -- worker --------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.time()
                    if self._held and now - self._held_since >= self.reorder_hold:
                        self._release_held()
                    if self._heap and self._heap[0].due <= now:
                        break
                    wait = self._heap[0].due - now if self._heap else 0.25
                    if self._held:
                        wait = min(wait, self.reorder_hold)
                    self._cond.wait(timeout=max(0.001, min(wait, 0.25)))
                if self._stopped:
                    return
                job = heapq.heappop(self._heap)
            self._attempt(job)

    def _attempt(self, job: _Job) -> None:
        delivery = job.delivery
        loaded = self._load(delivery)
        if loaded is None:  # endpoint deleted or disabled, or state reset, since queueing
            if job.duplicate_of_success:
                delivery["duplicates_pending"] -= 1
                return
            delivery["status"] = "canceled"
            delivery.pop("next_attempt_at", None)
            return
        payload, url, secrets = loaded
        timestamp = int(time.time())
        signing_secret = ["whsec_wrong" + s[6:] for s in secrets] if job.wrong_secret else secrets
        request = urllib.request.Request(  # noqa: S310 - endpoint urls are the test's own receivers
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": sign(payload, signing_secret, timestamp),
            },
        )
        started = time.time()
        status, error = None, None
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(4096)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        attempt = {
            "at": started,
            "status": status,
            "error": error,
            "duration_ms": round((time.time() - started) * 1000, 1),
            "signed_with_wrong_secret": job.wrong_secret,
            "duplicate": job.duplicate_of_success,
        }
        with self._cond:
            delivery["attempts"].append(attempt)
            if job.duplicate_of_success:
                delivery["duplicates_pending"] -= 1
                return
            failures = sum(1 for a in delivery["attempts"] if not a["duplicate"])
            if ok:
                delivery["status"] = "succeeded"
                delivery.pop("next_attempt_at", None)
            elif failures <= len(self.schedule):
                delay = self.schedule[failures - 1] * self.time_scale
                delivery["status"] = "retrying"
                delivery["next_attempt_at"] = time.time() + delay
                self._push(time.time() + delay, delivery, False)
                self._cond.notify_all()
            else:
                delivery["status"] = "failed"
                delivery.pop("next_attempt_at", None)
        if ok:
            self._on_delivered(delivery)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._cond:
            return json.loads(
                json.dumps([{k: v for k, v in d.items() if not k.startswith("_")} for d in self.deliveries])
            )

    def idle(self) -> bool:
        with self._cond:
            return not self._heap and not self._held


def encode_event(event: dict[str, Any], api_version: str | None) -> bytes:
    body = dict(event)
    if api_version:
        body["api_version"] = api_version
    return json.dumps(body, indent=2).encode()
