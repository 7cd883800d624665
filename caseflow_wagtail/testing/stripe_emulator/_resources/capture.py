"""Asynchronous capture: the charge succeeds at once, its balance transaction (fee and net) comes later.

At API version 2026-10-28 a PaymentIntent created without ``capture_method`` gets ``automatic_async``
(changelog 2024-04-10, "Asynchronous capture" guide): the charge in the confirmation response, in
``charge.succeeded`` and in ``payment_intent.succeeded`` has ``balance_transaction: null``; Stripe sets it
in the background and sends ``charge.updated`` with ``previous_attributes.balance_transaction: null``.

The emulator keeps such charges pending until they are settled: after ``settle_delay`` seconds by its
background sweeper, or when a test asks (``EmulatorClient.settle()``) — with ``settle_delay=None`` only
then, so a test decides exactly when the fee becomes known. ``capture_mode="sync"`` (or
``capture_method: automatic`` in the request) gives the balance transaction with the charge, as before.

A balance transaction is in the account's settlement currency: by default each charge settles in its own
currency (``exchange_rate: null``); ``configure(settlement_currency="usd", exchange_rates={"jpy": "0.0067"})``
converts charges in a currency with a rate, as Stripe does for an account that settles in one currency.
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .. import _objects as build
from .._core import THREE_DECIMAL, ZERO_DECIMAL, Account, new_id, real_now, set_request
from .._errors import invalid
from .._store import Settlement, Store
from .._values import get_str

if TYPE_CHECKING:
    from .base import Resource

ASYNC = "automatic_async"
SYNC = "automatic"
CAPTURE_MODES = {"async": ASYNC, "sync": SYNC}
# The private mark on a charge whose balance transaction is still to come: when it is due (time.time()).
_DUE = "settle_due"


def configure_settlement(state: Store, payload: dict[str, Any]) -> None:
    """``settlement_currency`` and ``exchange_rates`` from the control API; refused whole when malformed."""
    current: Settlement = state.settlement
    code = payload.get("settlement_currency", current.currency)
    if code is not None and not (isinstance(code, str) and len(code) == 3 and code.isalpha()):
        raise invalid(
            "settlement_currency is a three-letter currency code or null.", param="settlement_currency"
        )
    rates = payload.get("exchange_rates", current.rates)
    if not isinstance(rates, dict):
        raise invalid("exchange_rates maps currency codes to rates.", param="exchange_rates")
    parsed: dict[str, Decimal] = {}
    for currency, rate in rates.items():
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            value = Decimal(0)
        if isinstance(rate, bool) or not value.is_finite() or value <= 0:
            raise invalid(
                f"The exchange rate for {currency} must be a positive number.", param="exchange_rates"
            )
        parsed[str(currency).lower()] = value
    state.settlement = Settlement(code.lower() if code else None, parsed)


def _places(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def settled_amount(state: Store, amount: int, currency: str) -> tuple[int, str, float | None]:
    """A charge's amount as its balance transaction holds it: (amount, currency, exchange_rate).

    Converted when the account settles in another currency and has a rate for this one, rounded half up
    to the settlement currency's minor unit; otherwise the charge's own amount with ``exchange_rate: null``.
    """
    settlement: Settlement = state.settlement
    target, rate = settlement.currency, settlement.rates.get(currency)
    if target is None or target == currency or rate is None:
        return amount, currency, None
    major = Decimal(amount).scaleb(-_places(currency)) * rate
    converted = int(major.scaleb(_places(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # Stripe's exchange_rate is a JSON number: 0.0067, not "0.0067".
    return converted, target, float(rate)


def default_capture_method(state: Store) -> str:
    return CAPTURE_MODES[getattr(state, "capture_mode", "async")]


def capture_method(state: Store, params: dict[str, Any], name: str | None = None) -> str:
    """The ``capture_method`` asked for, or the account's default; manual capture is not emulated."""
    name = name or "capture_method"
    value = get_str(params, "capture_method", choices=("automatic", "automatic_async", "manual"), name=name)
    if value == "manual":
        raise invalid("The emulator does not support manual capture (capture_method=manual).", param=name)
    return value or default_capture_method(state)


def new_charge_balance(
    api: Resource, acct: Account, pi: dict[str, Any], charge_id: str, now: int
) -> str | None:
    """The balance transaction id to put on a new charge: at once for ``automatic``, later for async."""
    if pi.get("capture_method") == ASYNC:
        delay = getattr(api.state, "settle_delay", None)
        acct.priv(charge_id)[_DUE] = None if delay is None else time.time() + float(delay)
        return None
    return _balance_transaction(api.state, acct, pi, charge_id, now)["id"]


def _balance_transaction(
    state: Store, acct: Account, pi: dict[str, Any], charge_id: str, now: int
) -> dict[str, Any]:
    amount, currency, rate = settled_amount(state, pi["amount"], pi["currency"])
    # The fee is charged on what reaches the balance, in its currency.
    txn = build.balance_transaction(
        new_id("txn_"), now, amount, build.fee_for(amount), currency, charge_id, "charge", pi["description"]
    )
    txn["exchange_rate"] = rate
    acct.put(txn)
    return txn


def pending_charges(acct: Account) -> list[dict[str, Any]]:
    """Charges whose balance transaction has not arrived yet, oldest first."""
    return [
        ch
        for ch in reversed(acct.all("charge"))
        if ch["balance_transaction"] is None and _DUE in acct.private.get(ch["id"], {})
    ]


def settle(api: Resource, acct: Account, ch: dict[str, Any]) -> dict[str, Any]:
    """Give ``ch`` its balance transaction and announce it with ``charge.updated``."""
    acct.priv(ch["id"]).pop(_DUE, None)
    pi = acct.objects.get(ch.get("payment_intent") or "") or {
        "amount": ch["amount"],
        "currency": ch["currency"],
        "description": ch["description"],
    }
    txn = _balance_transaction(api.state, acct, pi, ch["id"], real_now())
    ch["balance_transaction"] = txn["id"]
    api.emit(acct, "charge.updated", ch, {"balance_transaction": None})
    return ch


def settle_matching(api: Resource, target: str | None = None) -> list[dict[str, Any]]:
    """Settle the pending charge ``target`` (a charge or PaymentIntent id), or every pending one."""
    state = api.state
    settled: list[dict[str, Any]] = []
    with state.lock:
        set_request(None)
        for acct in list(state.accounts.values()):
            for ch in pending_charges(acct):
                if target is None or target in (ch["id"], ch.get("payment_intent")):
                    settled.append(settle(api, acct, ch))
    return settled


def settle_due(api: Resource) -> None:
    """Called by the background sweeper: settle what ``settle_delay`` says is due by now."""
    state = api.state
    now = time.time()
    with state.lock:
        set_request(None)
        for acct in list(state.accounts.values()):
            for ch in pending_charges(acct):
                due = acct.private[ch["id"]][_DUE]
                if due is not None and due <= now:
                    settle(api, acct, ch)
