"""Accounts, ids, clocks and events: the state every resource handler shares."""

from __future__ import annotations

import copy
import hashlib
import secrets
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "2026-10-28.endive"
_ALPHABET = string.ascii_letters + string.digits

# Every prefix the emulator hands out, so ``expand[]`` can tell an id from any other string.
ID_PREFIXES = (
    "cus_",
    "prod_",
    "price_",
    "cs_test_",
    "pi_",
    "pm_",
    "ch_",
    "txn_",
    "re_",
    "sub_",
    "si_",
    "in_",
    "inpay_",
    "clock_",
    "bps_",
    "bpc_",
    "we_",
    "evt_",
    "seti_",
    "il_",
    "li_",
)


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


# Stripe's currency classes: amounts are integers in the smallest unit, which these have none or three of.
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def new_key_pair() -> tuple[str, str]:
    secret = "sk_test_emu_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))
    return secret, publishable_key_for(secret)


def publishable_key_for(secret_key: str) -> str:
    """A stable publishable key for a secret key that, as in Stripe, reveals nothing of the secret."""
    digest = hashlib.sha256(secret_key.encode()).digest()
    return "pk_test_emu_" + "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:24])


def real_now() -> int:
    return int(time.time())


@dataclass
class Account:
    """The state behind one secret key; distinct keys never see each other's objects."""

    secret_key: str
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What Stripe keeps but never returns (card numbers' behaviour, checkout line items, secrets).
    private: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_type: dict[str, list[str]] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    idempotency: dict[str, dict[str, Any]] = field(default_factory=dict)
    merchant_name: str = "Caseflow Test Firm"
    # The account's default API version: what its events are created with (Dashboard → Developers).
    api_version: str = API_VERSION

    def put(self, obj: dict[str, Any], **private: Any) -> dict[str, Any]:
        oid = obj["id"]
        if oid not in self.objects:
            self.by_type.setdefault(obj["object"], []).append(oid)
        self.objects[oid] = obj
        if private:
            self.private.setdefault(oid, {}).update(private)
        return obj

    def remove(self, oid: str) -> None:
        obj = self.objects.pop(oid, None)
        if obj is not None:
            self.by_type.get(obj["object"], []).remove(oid)

    def find(self, object_type: str, oid: Any) -> dict[str, Any] | None:
        obj = self.objects.get(oid) if isinstance(oid, str) else None
        if obj is None or obj["object"] != object_type:
            return None
        return obj

    def all(self, object_type: str) -> list[dict[str, Any]]:
        """Newest first, as Stripe lists."""
        return [self.objects[i] for i in reversed(self.by_type.get(object_type, []))]

    def priv(self, oid: str) -> dict[str, Any]:
        return self.private.setdefault(oid, {})


@dataclass
class RequestContext:
    """Who caused a change, so events can carry ``request.id`` and ``request.idempotency_key``."""

    request_id: str | None = None
    idempotency_key: str | None = None


_context = threading.local()


def current_request() -> RequestContext:
    return getattr(_context, "value", None) or RequestContext()


def set_request(ctx: RequestContext | None) -> None:
    _context.value = ctx


def snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)


class RequestLog:
    """Requests received, newest last, bounded so a long-running demo does not grow without limit."""

    def __init__(self, size: int = 5000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=size)
        self.lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.entries.append(entry)

    def list(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.entries)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
