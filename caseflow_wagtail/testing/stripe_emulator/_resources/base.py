"""What every resource stands on: the store, customers' clocks, events, lookups, lists and search.

Each module of this package holds one resource's handlers as a class on ``Resource``; ``_api.Api`` composes
them. A handler reaches another resource's handlers through ``self`` (the composed ``Api``), never by
importing that resource's module, so the resources never import one another (shared helpers excepted:
``capture`` and ``portal_configurations`` offer functions that others import). ``SharedHandlers`` declares
the handlers so called, for the type checker.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Protocol

from .._core import THREE_DECIMAL, Account, current_request, new_id, real_now, snapshot
from .._errors import invalid, not_found
from .._search import compile_query
from .._store import Store
from .._values import created_filter, get_int, get_str


def add_months(ts: int, months: int, anchor_day: int) -> int:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(anchor_day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_interval(ts: int, interval: str, count: int, anchor_day: int) -> int:
    if interval == "month":
        return add_months(ts, count, anchor_day)
    if interval == "year":
        return add_months(ts, 12 * count, anchor_day)
    return ts + count * {"day": 86400, "week": 7 * 86400}[interval]


def read_currency(
    params: dict[str, Any], key: str = "currency", required: bool = True, name: str | None = None
) -> Any:
    value = get_str(params, key, required=required, name=name)
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise invalid(
            f"Invalid currency: {value}. Stripe currently supports these currencies: usd, eur, gbp, …",
            param=name or key,
        )
    return value.lower()


def dig(obj: Any, path: str) -> Any:
    """``obj["a"]["b"]`` for the path ``a.b``; None where a step is missing."""
    for key in path.split("."):
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def check_minimum(amount: int, currency: str, param: str = "amount") -> None:
    # Stripe's smallest chargeable amounts for the common currencies (about 50 US cents elsewhere).
    minimums = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50, "nzd": 50}
    minimum = minimums.get(currency, 0)
    if currency in THREE_DECIMAL and amount % 10:
        raise invalid(f"Amounts in {currency.upper()} must be multiples of 10 minor units.", param=param)
    if currency == "isk" and amount % 100:
        raise invalid(
            "Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be "
            "evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases for more information.",
            param=param,
            code="invalid_charge_amount_no_decimal_compatible",
        )
    if amount > 99_999_999:
        raise invalid(
            "Amount must be no more than 99999999 minor units", param=param, code="amount_too_large"
        )
    if amount < minimum:
        raise invalid(
            f"Amount must be at least {minimum} {currency.upper()} minor units",
            param=param,
            code="amount_too_small",
        )


class SharedHandlers(Protocol):
    """The handlers one resource calls on another through ``self``, each implemented by the resource named."""

    # customers
    def customers_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]: ...

    # products
    def _price_from(
        self, acct: Account, params: dict[str, Any], prefix: str = "", product_data_allowed: bool = True
    ) -> dict[str, Any]: ...

    # payment_methods
    def _new_card_pm(
        self, acct: Account, card_params: dict[str, Any], params: dict[str, Any], prefix: str = "card"
    ) -> dict[str, Any]: ...

    def _payment_method_for(self, acct: Account, pm_id: Any, param: str) -> dict[str, Any]: ...

    def _attach(self, acct: Account, pm: dict[str, Any], customer_id: str) -> dict[str, Any]: ...

    # payment_intents
    def _create_pi(
        self,
        acct: Account,
        amount: int,
        currency: str,
        params: dict[str, Any],
        capture_method: str | None = None,
    ) -> dict[str, Any]: ...

    def _confirm(
        self,
        acct: Account,
        pi: dict[str, Any],
        pm: dict[str, Any],
        *,
        off_session: bool = False,
        return_url: str | None = None,
        raise_on_decline: bool = False,
        authenticated: bool = False,
    ) -> str: ...

    def authenticate(self, acct: Account, pi: dict[str, Any], complete: bool) -> str: ...

    # checkout
    def _refresh_session(self, acct: Account, session: dict[str, Any]) -> dict[str, Any]: ...

    # subscriptions
    def _create_subscription(
        self,
        acct: Account,
        customer_id: str,
        raw_items: list[Any],
        params: dict[str, Any],
        default_pm: str | None,
        behaviour: str,
        authenticated: bool = False,
    ) -> dict[str, Any]: ...

    def _set_status(self, acct: Account, sub: dict[str, Any], status: str) -> None: ...

    def _cancel_subscription(
        self,
        acct: Account,
        sub: dict[str, Any],
        reason: str = "cancellation_requested",
        emit: bool = True,
        at: int | None = None,
    ) -> None: ...

    def subscriptions_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]: ...

    # invoices
    def _cycle_invoice(
        self, acct: Account, sub: dict[str, Any], reason: str, period: tuple[int, int], trial: bool = False
    ) -> dict[str, Any]: ...

    # invoice_payments
    def _collect(
        self,
        acct: Account,
        invoice: dict[str, Any],
        sub: dict[str, Any] | None,
        *,
        off_session: bool,
        pm_id: str | None = None,
        authenticated: bool = False,
    ) -> str: ...

    def _void_invoice(self, acct: Account, invoice: dict[str, Any]) -> None: ...


# Only the type checker sees the protocol as a base: it checks each resource's handler against it and, as
# the protocol's methods are abstract, that ``Api`` implements them all. At run time a handler no resource
# defines stays an AttributeError instead of a stub's None.
if TYPE_CHECKING:
    _Base = SharedHandlers
else:
    _Base = object


class Resource(_Base):
    """The shared machinery of every resource's handlers; every handler runs under the store's lock."""

    def __init__(self, state: Store) -> None:
        self.state = state

    def now(self, acct: Account, customer_id: str | None = None) -> int:
        cus = acct.find("customer", customer_id)
        if cus and cus.get("test_clock"):
            clock = acct.find("test_helpers.test_clock", cus["test_clock"])
            if clock:
                return clock["frozen_time"]
        return real_now()

    def emit(
        self, acct: Account, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        ctx = current_request()
        data: dict[str, Any] = {"object": snapshot(obj)}
        # Stripe: previous_attributes is "only included in events of type *.updated".
        if previous and event_type.endswith(".updated"):
            data["previous_attributes"] = snapshot(previous)
        endpoints = [
            ep
            for ep in acct.all("webhook_endpoint")
            if ep["status"] == "enabled"
            and ("*" in ep["enabled_events"] or event_type in ep["enabled_events"])
        ]
        event = {
            # Stripe stamps each event with the account's default API version at creation.
            "api_version": acct.api_version,
            "created": real_now(),
            "data": data,
            "id": new_id("evt_"),
            "livemode": False,
            "object": "event",
            "pending_webhooks": len(endpoints),
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
            "type": event_type,
        }
        acct.put(event)
        for ep in reversed(endpoints):
            self.state.dispatcher.enqueue(acct.secret_key, event, ep)
        return event

    def get(self, acct: Account, object_type: str, oid: Any, kind: str, param: str = "id") -> dict[str, Any]:
        obj = acct.find(object_type, oid)
        if obj is None:
            raise not_found(kind, str(oid), param)
        return obj

    def paginate(self, items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
        limit = get_int(params, "limit", default=10, minimum=1, maximum=100)
        after = get_str(params, "starting_after")
        before = get_str(params, "ending_before")
        ids = [i["id"] for i in items]
        if after:
            if after not in ids:
                raise not_found("object", after, "starting_after")
            start = ids.index(after) + 1
            page = items[start : start + limit]
            has_more = start + limit < len(items)
        elif before:
            if before not in ids:
                raise not_found("object", before, "ending_before")
            end = ids.index(before)
            page = items[max(0, end - limit) : end]
            has_more = end - limit > 0
        else:
            page = items[:limit]
            has_more = len(items) > limit
        return {"object": "list", "data": page, "has_more": has_more, "url": url}

    def list_filtered(
        self, acct: Account, object_type: str, params: dict[str, Any], url: str, **equals: str
    ) -> dict[str, Any]:
        created = created_filter(params)
        items = [o for o in acct.all(object_type) if created(o.get("created", 0))]
        for param, field in equals.items():
            value = get_str(params, param)
            if value is not None:
                items = [o for o in items if dig(o, field) == value]
        return self.paginate(items, params, url)

    def search(self, acct: Account, params: dict[str, Any], object_type: str, url: str) -> dict[str, Any]:
        matches = compile_query(get_str(params, "query", required=True))
        limit = get_int(params, "limit", default=10, minimum=1, maximum=100)
        page = get_str(params, "page")
        # The page token is opaque to clients; here it is simply the offset of the next page.
        start = int(page[len("page_") :]) if page and page.startswith("page_") and page[5:].isdigit() else 0
        if page and not start:
            raise invalid("Invalid page token.", param="page")
        found = [o for o in acct.all(object_type) if matches(o)]
        data = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "object": "search_result",
            "data": data,
            "has_more": more,
            "next_page": f"page_{start + limit}" if more else None,
            "url": url,
        }
