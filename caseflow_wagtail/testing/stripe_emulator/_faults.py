"""Injected failures of the Stripe API (the control API's ``/faults``): which requests, and Stripe's answer."""

from __future__ import annotations

from typing import Any

from ._errors import StripeApiError


class ApiFault:
    """An injected failure: the next ``count`` matching requests get ``status`` (or only a delay)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.path = spec.get("path") or "/v1/"
        self.method = (spec.get("method") or "").upper() or None
        self.status = int(spec["status"]) if spec.get("status") else None
        self.count = int(spec.get("count", 1))
        self.delay = float(spec.get("delay", 0))
        # "after": the request executes (objects change, events go out) and then fails, as a Stripe 500
        # mid-request does; with an idempotency key that failure is what a retry gets back.
        self.after = bool(spec.get("after", False))
        self.spec = {**spec, "path": self.path}

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0 or (self.method and self.method != method):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path or (self.path.endswith("/") and path.startswith(self.path))


def take_fault(faults: list[ApiFault], method: str, path: str) -> ApiFault | None:
    """The first fault that ``method path`` matches, which it uses up; the caller holds the store's lock."""
    for fault in faults:
        if fault.matches(method, path):
            fault.count -= 1
            return fault
    return None


def fault_error(fault: ApiFault) -> StripeApiError:
    if fault.status == 429:
        return StripeApiError(
            429,
            "Too many requests hit the API too quickly. We recommend an exponential "
            "backoff of your requests.",
            type="invalid_request_error",
            code="rate_limit",
        )
    if fault.status == 409:
        return StripeApiError(
            409,
            "There is currently another in-progress request using this Stripe API key.",
            type="idempotency_error",
            code="lock_timeout",
        )
    return StripeApiError(
        fault.status or 500, "An unknown error occurred (injected by the emulator).", type="api_error"
    )
