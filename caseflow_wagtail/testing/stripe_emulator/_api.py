"""The Stripe API resources: every handler runs under the emulator's state lock."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from . import _capture as capture
from . import _hosted_invoice, _versions
from . import _objects as build
from . import _portal as portal
from ._cards import (
    ATTACH_THEN_FAIL,
    OK,
    PM_TOKENS,
    THREE_DS_ALWAYS,
    THREE_DS_ONE_TIME,
    TOKENS,
    card_error,
    read_card,
)
from ._core import (
    THREE_DECIMAL,
    ZERO_DECIMAL,
    Account,
    current_request,
    new_id,
    real_now,
    snapshot,
)
from ._errors import (
    AUTHENTICATION_FAILURE,
    DECLINE_MESSAGES,
    StripeApiError,
    invalid,
    missing_param,
    not_found,
)
from ._search import compile_query
from ._values import (
    created_filter,
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_metadata,
    get_str,
    merge_metadata,
)
from ._webhook_urls import check_url as check_webhook_url

if TYPE_CHECKING:
    from ._server import EmulatorState

CHECKOUT_DEFAULT_TTL = 24 * 3600
RETRY_DAYS = (3, 5, 7)


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


def _currency(
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


def _dig(obj: Any, path: str) -> Any:
    """``obj["a"]["b"]`` for the path ``a.b``; None where a step is missing."""
    for key in path.split("."):
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _minimum_check(amount: int, currency: str, param: str = "amount") -> None:
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


class Api:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # -- shared machinery ----------------------------------------------------------------------

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
                items = [o for o in items if _dig(o, field) == value]
        return self.paginate(items, params, url)

    # -- customers -----------------------------------------------------------------------------

    def customers_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        clock_id = get_str(params, "test_clock")
        if clock_id:
            self.get(acct, "test_helpers.test_clock", clock_id, "test clock", "test_clock")
        for key in ("email", "name", "description", "phone"):
            get_str(params, key)
        get_metadata(params)
        settings = get_dict(params, "invoice_settings") or {}
        pm_id = settings.get("default_payment_method")
        created = self.now(acct) if not clock_id else acct.objects[clock_id]["frozen_time"]
        cus = build.customer(new_id("cus_", 14), created, params, clock_id)
        cus["invoice_settings"]["default_payment_method"] = None
        acct.put(cus)
        pm = get_str(params, "payment_method")
        if pm:
            self._attach(acct, self._payment_method_for(acct, pm, "payment_method"), cus["id"])
        if pm_id:
            self.get(
                acct, "payment_method", pm_id, "PaymentMethod", "invoice_settings[default_payment_method]"
            )
            cus["invoice_settings"]["default_payment_method"] = pm_id
        self.emit(acct, "customer.created", cus)
        return cus

    def customers_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        obj = acct.objects.get(id)
        if obj is not None and obj.get("object") == "customer" and obj.get("deleted"):
            return obj
        return self.get(acct, "customer", id, "customer")

    def customers_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        cus = self.get(acct, "customer", id, "customer")
        previous: dict[str, Any] = {}
        for key in ("email", "name", "description", "phone"):
            if key in params:
                previous[key] = cus[key]
                cus[key] = get_str(params, key) or None
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = cus["metadata"]
            cus["metadata"] = merge_metadata(cus["metadata"], metadata)
        settings = get_dict(params, "invoice_settings")
        if settings and "default_payment_method" in settings:
            pm_id = settings["default_payment_method"] or None
            if pm_id:
                pm = self.get(
                    acct, "payment_method", pm_id, "PaymentMethod", "invoice_settings[default_payment_method]"
                )
                if pm["customer"] != id:
                    raise invalid(
                        f"The customer does not have a payment method with the ID {pm_id}. "
                        "The payment method must be attached to the customer.",
                        param="invoice_settings[default_payment_method]",
                    )
            previous["invoice_settings"] = dict(cus["invoice_settings"])
            cus["invoice_settings"]["default_payment_method"] = pm_id
        if previous:
            self.emit(acct, "customer.updated", cus, previous)
        return cus

    def customers_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        cus = self.get(acct, "customer", id, "customer")
        for sub in acct.all("subscription"):
            if sub["customer"] == id and sub["status"] not in ("canceled", "incomplete_expired"):
                self._cancel_subscription(acct, sub)
        acct.remove(id)
        self.emit(acct, "customer.deleted", cus)
        tombstone = {"deleted": True, "id": id, "object": "customer"}
        acct.objects[id] = tombstone
        return tombstone

    def customers_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "customer", params, "/v1/customers", email="email", test_clock="test_clock"
        )

    def customer_payment_methods(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        self.get(acct, "customer", id, "customer")
        items = [pm for pm in acct.all("payment_method") if pm["customer"] == id]
        return self.paginate(items, params, f"/v1/customers/{id}/payment_methods")

    # -- products and prices -------------------------------------------------------------------

    def products_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        get_str(params, "name", required=True)
        get_metadata(params)
        oid = get_str(params, "id") or new_id("prod_", 14)
        if oid in acct.objects:
            raise invalid("Product already exists.", param="id", code="resource_already_exists")
        prod = build.product(
            oid, self.now(acct), {**params, "active": get_bool(params, "active", default=True)}
        )
        acct.put(prod)
        self.emit(acct, "product.created", prod)
        default_price = get_dict(params, "default_price_data")
        if default_price:
            p = self._price_from(acct, {**default_price, "product": oid}, "default_price_data")
            prod["default_price"] = p["id"]
        return prod

    def products_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "product", id, "product")

    def products_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        prod = self.get(acct, "product", id, "product")
        previous: dict[str, Any] = {}
        for key in ("name", "description"):
            if key in params:
                previous[key] = prod[key]
                prod[key] = get_str(params, key)
        if "active" in params:
            previous["active"] = prod["active"]
            prod["active"] = get_bool(params, "active")
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = prod["metadata"]
            prod["metadata"] = merge_metadata(prod["metadata"], metadata)
        if "default_price" in params:
            price_id = get_str(params, "default_price")
            self.get(acct, "price", price_id, "price", "default_price")
            previous["default_price"] = prod["default_price"]
            prod["default_price"] = price_id
        prod["updated"] = real_now()
        self.emit(acct, "product.updated", prod, previous)
        return prod

    def products_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        prod = self.get(acct, "product", id, "product")
        if any(p["product"] == id for p in acct.all("price")):
            raise invalid("This product cannot be deleted because it has one or more user-created prices.")
        acct.remove(id)
        self.emit(acct, "product.deleted", prod)
        return {"deleted": True, "id": id, "object": "product"}

    def products_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("product")
        if "active" in params:
            active = get_bool(params, "active")
            items = [p for p in items if p["active"] == active]
        created = created_filter(params)
        return self.paginate([p for p in items if created(p["created"])], params, "/v1/products")

    def _price_from(
        self, acct: Account, params: dict[str, Any], prefix: str = "", product_data_allowed: bool = True
    ) -> dict[str, Any]:
        def name(key: str) -> str:
            return f"{prefix}[{key}]" if prefix else key

        currency = _currency(params, name=name("currency"))
        amount = get_int(params, "unit_amount", name=name("unit_amount"), minimum=0)
        if amount is None:
            decimal = get_str(params, "unit_amount_decimal", name=name("unit_amount_decimal"))
            if decimal is None:
                raise missing_param(name("unit_amount"))
            try:
                amount = int(decimal)
            except ValueError:
                raise invalid(f"Invalid decimal: {decimal}", param=name("unit_amount_decimal")) from None
        recurring = get_dict(params, "recurring", name=name("recurring"))
        if recurring:
            interval = get_str(
                recurring,
                "interval",
                required=True,
                choices=("day", "week", "month", "year"),
                name=name("recurring") + "[interval]",
            )
            count = get_int(
                recurring, "interval_count", default=1, minimum=1, name=name("recurring") + "[interval_count]"
            )
            recurring = {"interval": interval, "interval_count": count}
        product_id = get_str(params, "product", name=name("product"))
        product_data = get_dict(params, "product_data", name=name("product_data"))
        if product_id:
            self.get(acct, "product", product_id, "product", name("product"))
        elif product_data and product_data_allowed:
            prod = self.products_create(acct, product_data)
            product_id = prod["id"]
        else:
            raise missing_param(name("product"))
        p = build.price(
            new_id("price_"),
            real_now(),
            product_id,
            currency,
            amount,
            recurring,
            {**params, "metadata": get_metadata(params) or {}},
        )
        acct.put(p)
        self.emit(acct, "price.created", p)
        return p

    def prices_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self._price_from(acct, params)

    def prices_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "price", id, "price")

    def prices_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        p = self.get(acct, "price", id, "price")
        previous: dict[str, Any] = {}
        if "active" in params:
            previous["active"] = p["active"]
            p["active"] = get_bool(params, "active")
        for key in ("nickname", "lookup_key"):
            if key in params:
                previous[key] = p[key]
                p[key] = get_str(params, key) or None
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = p["metadata"]
            p["metadata"] = merge_metadata(p["metadata"], metadata)
        self.emit(acct, "price.updated", p, previous)
        return p

    def prices_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("price")
        if "active" in params:
            active = get_bool(params, "active")
            items = [p for p in items if p["active"] == active]
        for key in ("product", "currency", "type"):
            value = get_str(params, key)
            if value:
                items = [p for p in items if p[key] == value]
        created = created_filter(params)
        return self.paginate([p for p in items if created(p["created"])], params, "/v1/prices")

    # -- payment methods -----------------------------------------------------------------------

    def _new_card_pm(
        self, acct: Account, card_params: dict[str, Any], params: dict[str, Any], prefix: str = "card"
    ) -> dict[str, Any]:
        token = card_params.get("token")
        if token:
            number = TOKENS.get(token)
            if number is None:
                raise not_found("token", token, f"{prefix}[token]")
            card_params = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        today = dt.datetime.now(dt.UTC)
        card = read_card(
            card_params.get("number"),
            card_params.get("exp_month"),
            card_params.get("exp_year"),
            card_params.get("cvc"),
            today.year,
            today.month,
            prefix,
        )
        pm = build.payment_method(new_id("pm_"), real_now(), card, params)
        return acct.put(pm, card=card)

    def _payment_method_for(self, acct: Account, pm_id: Any, param: str) -> dict[str, Any]:
        """Resolve a PaymentMethod id; Stripe's ``pm_card_*`` test ids yield a fresh card each time."""
        if isinstance(pm_id, str) and pm_id in PM_TOKENS:
            return self._new_card_pm(
                acct, {"number": PM_TOKENS[pm_id], "exp_month": "12", "exp_year": "2034", "cvc": "123"}, {}
            )
        return self.get(acct, "payment_method", pm_id, "PaymentMethod", param)

    def payment_methods_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        kind = get_str(params, "type", required=True)
        if kind != "card":
            raise invalid(
                f"The payment method type {kind!r} is not supported by this emulator; use card.", param="type"
            )
        card = get_dict(params, "card", required=True)
        get_metadata(params)
        return self._new_card_pm(acct, card, params)

    def payment_methods_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._payment_method_for(acct, id, "payment_method")

    def payment_methods_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pm = self.get(acct, "payment_method", id, "PaymentMethod")
        previous: dict[str, Any] = {}
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = pm["metadata"]
            pm["metadata"] = merge_metadata(pm["metadata"], metadata)
        details = get_dict(params, "billing_details")
        if details:
            previous["billing_details"] = pm["billing_details"]
            pm["billing_details"] = build.billing_details({**pm["billing_details"], **details})
        self.emit(acct, "payment_method.updated", pm, previous)
        return pm

    def _attach(self, acct: Account, pm: dict[str, Any], customer_id: str) -> dict[str, Any]:
        if pm["customer"] == customer_id:
            return pm
        if pm["customer"]:
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
        behaviour = acct.priv(pm["id"]).get("card", {}).get("behaviour", OK)
        if behaviour.startswith("decline:"):
            # Stripe verifies a card when saving it: a declining card cannot be attached.
            raise card_error(behaviour.split(":", 1)[1])
        pm["customer"] = customer_id
        acct.priv(customer_id)["last_attached"] = pm["id"]
        self.emit(acct, "payment_method.attached", pm)
        return pm

    def payment_methods_attach(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        customer_id = get_str(params, "customer", required=True)
        self.get(acct, "customer", customer_id, "customer", "customer")
        pm = self._attach(acct, self._payment_method_for(acct, id, "payment_method"), customer_id)
        return pm

    def payment_methods_detach(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pm = self.get(acct, "payment_method", id, "PaymentMethod")
        if not pm["customer"]:
            raise invalid(
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                param="payment_method",
            )
        cus = acct.find("customer", pm["customer"])
        previous = {"customer": pm["customer"]}
        pm["customer"] = None
        if cus and cus["invoice_settings"]["default_payment_method"] == id:
            cus["invoice_settings"]["default_payment_method"] = None
        self.emit(acct, "payment_method.detached", pm, previous)
        return pm

    def payment_methods_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = get_str(params, "customer")
        items = [
            pm for pm in acct.all("payment_method") if customer_id is None or pm["customer"] == customer_id
        ]
        return self.paginate(items, params, "/v1/payment_methods")

    # -- payment intents and charges -----------------------------------------------------------

    def _create_pi(
        self,
        acct: Account,
        amount: int,
        currency: str,
        params: dict[str, Any],
        capture_method: str | None = None,
    ) -> dict[str, Any]:
        pi = build.payment_intent(
            new_id("pi_"), self.now(acct, params.get("customer")), amount, currency, params
        )
        pi["capture_method"] = capture_method or capture.default_capture_method(self.state)
        acct.put(pi)
        self.emit(acct, "payment_intent.created", pi)
        return pi

    def payment_intents_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        amount = get_int(params, "amount", required=True, minimum=1)
        currency = _currency(params)
        _minimum_check(amount, currency)
        customer_id = get_str(params, "customer")
        if customer_id:
            self.get(acct, "customer", customer_id, "customer", "customer")
        for key in ("description", "receipt_email", "statement_descriptor_suffix"):
            get_str(params, key)
        get_str(params, "setup_future_usage", choices=("on_session", "off_session"))
        get_metadata(params)
        # API 2026-10-28 names the choice ``allowed_payment_method_types``; objects carry it beside the
        # resolved ``payment_method_types``.
        types = get_list(params, "allowed_payment_method_types")
        if types and any(t != "card" for t in types):
            raise invalid("This emulator takes card payments only.", param="allowed_payment_method_types")
        pm_id = get_str(params, "payment_method")
        pm = self._payment_method_for(acct, pm_id, "payment_method") if pm_id else None
        confirm = get_bool(params, "confirm", default=False)
        off_session = get_bool(params, "off_session", default=False)
        if off_session and not confirm:
            raise invalid("You may only specify `off_session` when `confirm` is true.", param="off_session")
        method = capture.capture_method(self.state, params)
        pi = self._create_pi(acct, amount, currency, params, method)
        if pm is not None:
            pi["payment_method"] = pm["id"]
            pi["status"] = "requires_confirmation"
        if confirm:
            if pm is None:
                raise missing_param("payment_method")
            self._confirm(
                acct,
                pi,
                pm,
                off_session=off_session,
                return_url=get_str(params, "return_url"),
                raise_on_decline=True,
            )
        return pi

    def payment_intents_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "payment_intent", id, "payment_intent")

    def payment_intents_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] in ("succeeded", "canceled", "processing"):
            raise invalid(
                f"This PaymentIntent's status is {pi['status']} and it cannot be updated.",
                code="payment_intent_unexpected_state",
            )
        previous: dict[str, Any] = {}
        if "amount" in params:
            previous["amount"] = pi["amount"]
            pi["amount"] = get_int(params, "amount", minimum=1)
            _minimum_check(pi["amount"], pi["currency"])
        for key in ("description", "receipt_email"):
            if key in params:
                previous[key] = pi[key]
                pi[key] = get_str(params, key) or None
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = pi["metadata"]
            pi["metadata"] = merge_metadata(pi["metadata"], metadata)
        if "payment_method" in params:
            pm = self._payment_method_for(acct, get_str(params, "payment_method"), "payment_method")
            pi["payment_method"] = pm["id"]
            pi["status"] = "requires_confirmation"
        # Stripe sends no event for a PaymentIntent update.
        return pi

    def payment_intents_confirm(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            raise invalid(
                f"This PaymentIntent's payment_method could not be updated because it has a status of "
                f"{pi['status']}. You may only update the payment_method of a PaymentIntent with one of the "
                "following statuses: requires_payment_method, requires_confirmation, requires_action.",
                code="payment_intent_unexpected_state",
            )
        pm_id = get_str(params, "payment_method") or pi["payment_method"]
        if not pm_id:
            raise invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method. To "
                "confirm the PaymentIntent with cus, specify a payment method.",
                code="payment_intent_unexpected_state",
                param="payment_method",
            )
        pm = self._payment_method_for(acct, pm_id, "payment_method")
        self._confirm(
            acct,
            pi,
            pm,
            off_session=get_bool(params, "off_session", default=False),
            return_url=get_str(params, "return_url"),
            raise_on_decline=True,
        )
        return pi

    def payment_intents_cancel(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] in ("succeeded", "canceled"):
            raise invalid(
                f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
                "PaymentIntent with one of the following statuses may be canceled: requires_payment_method, "
                "requires_capture, requires_confirmation, requires_action, processing.",
                code="payment_intent_unexpected_state",
            )
        pi["status"] = "canceled"
        pi["canceled_at"] = real_now()
        pi["cancellation_reason"] = get_str(params, "cancellation_reason") or "requested_by_customer"
        pi["next_action"] = None
        self.emit(acct, "payment_intent.canceled", pi)
        return pi

    def payment_intents_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(acct, "payment_intent", params, "/v1/payment_intents", customer="customer")

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
    ) -> str:
        """Try to charge ``pm`` for ``pi``; returns the resulting PaymentIntent status."""
        pi["payment_method"] = pm["id"]
        card = acct.priv(pm["id"]).get("card", {})
        behaviour = card.get("behaviour", OK)
        needs_auth = not authenticated and (
            behaviour == THREE_DS_ALWAYS
            or (
                behaviour == THREE_DS_ONE_TIME
                and not (off_session and acct.priv(pm["id"]).get("authenticated"))
            )
        )
        if needs_auth:
            if off_session:
                return self._fail(acct, pi, pm, "authentication_required", raise_on_decline)
            pi["status"] = "requires_action"
            url = f"{self.state.base_url}/authenticate/{pi['id']}"
            pi["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {"return_url": return_url, "url": url},
            }
            acct.priv(pi["id"])["return_url"] = return_url
            self.emit(acct, "payment_intent.requires_action", pi)
            return pi["status"]
        if behaviour.startswith("decline:"):
            return self._fail(acct, pi, pm, behaviour.split(":", 1)[1], raise_on_decline)
        if behaviour == ATTACH_THEN_FAIL:
            return self._fail(acct, pi, pm, "generic_decline", raise_on_decline)
        # Approved.
        now = self.now(acct, pi["customer"])
        charge_id = new_id("ch_")
        # With asynchronous capture (the default) the balance transaction comes later: see _capture.py.
        balance = capture.new_charge_balance(self, acct, pi, charge_id, now)
        ch = build.charge(charge_id, now, pi, pm, card, None, balance)
        if authenticated:
            ch["payment_method_details"]["card"]["three_d_secure"] = {
                "authentication_flow": "challenge",
                "electronic_commerce_indicator": "05",
                "exemption_indicator": None,
                "result": "authenticated",
                "result_reason": None,
                "transaction_id": new_id("", 32),
                "version": "2.2.0",
            }
            acct.priv(pm["id"])["authenticated"] = True
        acct.put(ch)
        pi.update(
            status="succeeded",
            amount_received=pi["amount"],
            latest_charge=charge_id,
            last_payment_error=None,
            next_action=None,
        )
        if pi.get("setup_future_usage") and pi["customer"] and pm["customer"] is None:
            self._attach(acct, pm, pi["customer"])
        self.emit(acct, "charge.succeeded", ch)
        self.emit(acct, "payment_intent.succeeded", pi)
        return "succeeded"

    def _fail(
        self, acct: Account, pi: dict[str, Any], pm: dict[str, Any], reason: str, raise_it: bool
    ) -> str:
        now = self.now(acct, pi["customer"])
        card = acct.priv(pm["id"]).get("card", {})
        if reason == "authentication_required":
            code, decline_code, message = (
                "authentication_required",
                "authentication_required",
                ("Your card was declined. This transaction requires authentication."),
            )
            error_type = "card_error"
        elif reason == "authentication_failure":
            code, message = AUTHENTICATION_FAILURE
            decline_code = None
            error_type = "invalid_request_error"
        else:
            code, message = DECLINE_MESSAGES[reason]
            decline_code = reason
            error_type = "card_error"
        ch = None
        if reason != "authentication_failure":
            ch = build.charge(new_id("ch_"), now, pi, pm, card, (code, decline_code, message), None)
            acct.put(ch)
            pi["latest_charge"] = ch["id"]
        error = {
            "code": code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "message": message,
            "payment_method": snapshot(pm),
            "type": error_type,
        }
        if ch:
            error["charge"] = ch["id"]
        if decline_code:
            error["decline_code"] = decline_code
        pi.update(
            status="requires_payment_method", last_payment_error=error, payment_method=None, next_action=None
        )
        if ch:
            self.emit(acct, "charge.failed", ch)
        self.emit(acct, "payment_intent.payment_failed", pi)
        if raise_it:
            extra = {"payment_intent": snapshot(pi), "payment_method": snapshot(pm)}
            if ch:
                extra["charge"] = ch["id"]
            raise StripeApiError(
                402 if error_type == "card_error" else 400,
                message,
                type=error_type,
                code=code,
                decline_code=decline_code,
                extra=extra,
            )
        return "requires_payment_method"

    def authenticate(self, acct: Account, pi: dict[str, Any], complete: bool) -> str:
        """The outcome of the hosted 3-D Secure page for ``pi``."""
        if pi["status"] != "requires_action":
            return pi["status"]
        pm = acct.objects[pi["payment_method"]]
        if complete:
            return self._confirm(acct, pi, pm, authenticated=True)
        return self._fail(acct, pi, pm, "authentication_failure", False)

    def charges_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "charge", id, "charge")

    def charges_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "charge", params, "/v1/charges", customer="customer", payment_intent="payment_intent"
        )

    def balance_transactions_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "balance_transaction", id, "balance transaction")

    def balance_transactions_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct,
            "balance_transaction",
            params,
            "/v1/balance_transactions",
            source="source",
            type="type",
            currency="currency",
        )

    # -- refunds -------------------------------------------------------------------------------

    def refunds_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        get_str(params, "reason", choices=("duplicate", "fraudulent", "requested_by_customer"))
        get_metadata(params)
        charge_id = get_str(params, "charge")
        pi_id = get_str(params, "payment_intent")
        if charge_id:
            ch = self.get(acct, "charge", charge_id, "charge", "charge")
        elif pi_id:
            pi = self.get(acct, "payment_intent", pi_id, "payment_intent", "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise invalid(
                    f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                    param="payment_intent",
                    code="charge_not_refundable",
                )
            ch = acct.objects[pi["latest_charge"]]
        else:
            raise invalid(
                "One of the following params should be provided for this request: payment_intent or charge."
            )
        remaining = ch["amount_captured"] - ch["amount_refunded"]
        if ch["status"] != "succeeded":
            raise invalid(
                f"Charge {ch['id']} has not succeeded and cannot be refunded.",
                param="charge",
                code="charge_not_refundable",
            )
        if remaining <= 0:
            raise invalid(f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded")
        amount = get_int(params, "amount", default=remaining, minimum=1)
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                param="amount",
            )
        return self._refund(acct, ch, amount, params)

    def _refund(
        self, acct: Account, ch: dict[str, Any], amount: int, params: dict[str, Any]
    ) -> dict[str, Any]:
        now = self.now(acct, ch["customer"])
        refund_id = new_id("re_")
        txn = build.balance_transaction(
            new_id("txn_"), now, -amount, 0, ch["currency"], refund_id, "refund", "REFUND FOR CHARGE"
        )
        acct.put(txn)
        re_ = build.refund(refund_id, now, ch, amount, txn["id"], params)
        acct.put(re_)
        previous = {"amount_refunded": ch["amount_refunded"], "refunded": ch["refunded"]}
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
        self.emit(acct, "refund.created", re_)
        self.emit(acct, "charge.refunded", ch, previous)
        return re_

    def refunds_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "refund", id, "refund")

    def refunds_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        re_ = self.get(acct, "refund", id, "refund")
        metadata = get_metadata(params)
        if metadata is not None:
            previous = {"metadata": re_["metadata"]}
            re_["metadata"] = merge_metadata(re_["metadata"], metadata)
            self.emit(acct, "refund.updated", re_, previous)
        return re_

    def refunds_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "refund", params, "/v1/refunds", charge="charge", payment_intent="payment_intent"
        )

    # -- disputes (opened, updated and closed by the card network: only the control API changes them) --

    DISPUTE_REASONS = (
        "bank_cannot_process",
        "check_returned",
        "credit_not_processed",
        "customer_initiated",
        "debit_not_authorized",
        "duplicate",
        "fraudulent",
        "general",
        "incorrect_account_details",
        "insufficient_funds",
        "noncompliant",
        "product_not_received",
        "product_unacceptable",
        "subscription_canceled",
        "unrecognized",
    )
    DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")

    def dispute_open(self, acct: Account, ch: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        reason = get_str(params, "reason", choices=self.DISPUTE_REASONS) or "fraudulent"
        if ch["status"] != "succeeded":
            raise invalid(f"Charge {ch['id']} has not succeeded and cannot be disputed.", param="charge")
        if ch["disputed"]:
            raise invalid(f"Charge {ch['id']} is already disputed.", param="charge")
        amount = get_int(params, "amount", default=ch["amount_captured"] - ch["amount_refunded"], minimum=1)
        now = self.now(acct, ch["customer"])
        dp = build.dispute(new_id("dp_"), now, ch, amount, reason, now + 7 * 86400)
        acct.put(dp)
        ch["disputed"] = True
        self.emit(acct, "charge.dispute.created", dp)
        return dp

    def dispute_update(self, acct: Account, dp: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if dp["status"] in ("won", "lost"):
            raise invalid(f"Dispute {dp['id']} is closed.", param="dispute")
        status = get_str(params, "status", choices=self.DISPUTE_STATUSES) or "under_review"
        previous = {"status": dp["status"], "evidence_details": snapshot(dp["evidence_details"])}
        dp["status"] = status
        if status.endswith("under_review"):
            dp["evidence_details"].update(has_evidence=True, submission_count=1, submission_method="manual")
        self.emit(acct, "charge.dispute.updated", dp, previous)
        return dp

    def dispute_close(self, acct: Account, dp: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if dp["status"] in ("won", "lost"):
            raise invalid(f"Dispute {dp['id']} is already closed.", param="dispute")
        outcome = get_str(params, "status", required=True, choices=("won", "lost"))
        previous = {"status": dp["status"]}
        dp["status"] = outcome
        if outcome == "lost":
            # The disputed amount leaves the balance for good, as a negative balance transaction.
            txn = build.balance_transaction(
                new_id("txn_"),
                real_now(),
                -dp["amount"],
                1500,
                dp["currency"],
                dp["id"],
                "adjustment",
                "Chargeback withdrawal",
            )
            acct.put(txn)
            dp["balance_transactions"].append(snapshot(txn))
        self.emit(acct, "charge.dispute.closed", dp, previous)
        return dp

    def disputes_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "dispute", id, "dispute")

    def disputes_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "dispute", params, "/v1/disputes", charge="charge", payment_intent="payment_intent"
        )

    def setup_intents_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "setup_intent", id, "setup_intent")

    def setup_intents_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(acct, "setup_intent", params, "/v1/setup_intents", customer="customer")

    # -- checkout sessions ---------------------------------------------------------------------

    def _line_items(self, acct: Account, params: dict[str, Any], mode: str) -> list[dict[str, Any]]:
        raw = get_list(params, "line_items")
        if not raw:
            if mode == "setup":
                return []
            raise invalid(
                f"`line_items` is required in `{mode}` mode.", param="line_items", code="parameter_missing"
            )
        items = []
        for i, line in enumerate(raw):
            name = f"line_items[{i}]"
            if not isinstance(line, dict):
                raise invalid("Invalid object", param=name)
            quantity = get_int(line, "quantity", required=True, minimum=1, name=f"{name}[quantity]")
            price_id = get_str(line, "price", name=f"{name}[price]")
            if price_id:
                p = self.get(acct, "price", price_id, "price", f"{name}[price]")
                if not p["active"]:
                    raise invalid(f"The price `{price_id}` is not active.", param=f"{name}[price]")
            else:
                data = get_dict(line, "price_data", required=True, name=f"{name}[price_data]")
                if data.get("product_data") and not isinstance(data["product_data"], dict):
                    raise invalid("Invalid object", param=f"{name}[price_data][product_data]")
                p = self._price_from(acct, data, f"{name}[price_data]")
                acct.priv(p["id"])["inline"] = True
            if mode == "payment" and p["recurring"]:
                raise invalid(
                    "You must specify `mode=subscription` to use recurring prices.", param=f"{name}[price]"
                )
            if mode == "subscription" and not p["recurring"]:
                raise invalid(
                    "One-off line items in subscription mode are not supported by the Stripe emulator.",
                    param=f"{name}[price]",
                )
            prod = acct.objects[p["product"]]
            items.append(build.checkout_line_item(new_id("li_"), snapshot(p), quantity, prod["name"]))
        currencies = {i["currency"] for i in items}
        if len(currencies) > 1:
            raise invalid("All line items must use the same currency.", param="line_items")
        if mode == "subscription" and not any(i["price"]["recurring"] for i in items):
            raise invalid(
                "You must provide at least one recurring price in `subscription` mode when using prices.",
                param="line_items",
            )
        return items

    def checkout_sessions_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        mode = get_str(params, "mode", required=True, choices=("payment", "subscription", "setup"))
        success_url = get_str(params, "success_url", required=True)
        cancel_url = get_str(params, "cancel_url")
        for key, url in (("success_url", success_url), ("cancel_url", cancel_url)):
            if url is not None and not re.match(r"https?://", url):
                raise invalid("Not a valid URL", param=key, code="url_invalid")
        customer_id = get_str(params, "customer")
        if customer_id:
            self.get(acct, "customer", customer_id, "customer", "customer")
        customer_email = get_str(params, "customer_email")
        if customer_id and customer_email:
            raise invalid(
                "You may only specify one of these parameters: customer, customer_email.",
                param="customer_email",
            )
        reference = get_str(params, "client_reference_id")
        if reference is not None and len(reference) > 200:
            raise invalid("client_reference_id must be at most 200 characters.", param="client_reference_id")
        metadata = get_metadata(params) or {}
        # API 2026-10-28 names the choice ``allowed_payment_method_types``; objects carry it beside the
        # resolved ``payment_method_types``.
        types = get_list(params, "allowed_payment_method_types")
        if types and any(t != "card" for t in types):
            raise invalid("This emulator takes card payments only.", param="allowed_payment_method_types")
        pi_data = get_dict(params, "payment_intent_data") or {}
        if pi_data and mode != "payment":
            raise invalid(
                "You can only specify `payment_intent_data` in `payment` mode.", param="payment_intent_data"
            )
        get_metadata(pi_data, "metadata") if pi_data else None
        if pi_data:
            capture.capture_method(self.state, pi_data, "payment_intent_data[capture_method]")
        sub_data = get_dict(params, "subscription_data") or {}
        if sub_data and mode != "subscription":
            raise invalid(
                "You can only specify `subscription_data` in `subscription` mode.", param="subscription_data"
            )
        get_metadata(sub_data, "metadata") if sub_data else None
        trial_days = get_int(
            sub_data, "trial_period_days", minimum=1, maximum=730, name="subscription_data[trial_period_days]"
        )
        creation = get_str(params, "customer_creation", choices=("always", "if_required"))
        if creation and mode != "payment":
            raise invalid(
                "`customer_creation` can only be used in `payment` mode.", param="customer_creation"
            )
        now = real_now()
        expires_at = get_int(params, "expires_at", default=now + CHECKOUT_DEFAULT_TTL)
        if not now + 1800 <= expires_at <= now + CHECKOUT_DEFAULT_TTL:
            raise invalid(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout "
                "Session creation.",
                param="expires_at",
            )
        items = self._line_items(acct, params, mode)
        currency = items[0]["currency"] if items else _currency(params, required=False)
        total = sum(i["amount_total"] for i in items) if items else None
        if trial_days:
            total = 0  # nothing is charged until the trial ends
        if mode == "payment":
            _minimum_check(total, currency, "line_items")
        sid = new_id("cs_test_", 58)
        session = {
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
            "billing_address_collection": get_str(params, "billing_address_collection"),
            "cancel_url": cancel_url,
            "client_reference_id": reference,
            "client_secret": None,
            "consent": None,
            "consent_collection": None,
            "created": now,
            "currency": currency,
            "custom_fields": [],
            "custom_text": {
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            "customer": customer_id,
            "customer_creation": (creation or "if_required") if mode == "payment" else None,
            "customer_details": None,
            "customer_email": customer_email,
            "expires_at": expires_at,
            "id": sid,
            "invoice": None,
            "invoice_creation": (
                {
                    "enabled": False,
                    "invoice_data": {
                        "account_tax_ids": None,
                        "custom_fields": None,
                        "description": None,
                        "footer": None,
                        "issuer": None,
                        "metadata": {},
                        "rendering_options": None,
                    },
                }
                if mode == "payment"
                else None
            ),
            "livemode": False,
            "locale": get_str(params, "locale"),
            "metadata": metadata,
            "mode": mode,
            "object": "checkout.session",
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "always" if mode == "subscription" else None,
            "payment_method_configuration_details": None,
            "payment_method_options": {},
            "allowed_payment_method_types": types or None,
            "payment_method_types": types or ["card"],
            "payment_status": "no_payment_required" if mode == "setup" else "unpaid",
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "saved_payment_method_options": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": get_str(params, "submit_type"),
            "subscription": None,
            "success_url": success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0} if items else None,
            "ui_mode": "hosted_page",
            "url": f"{self.state.base_url}/checkout/{sid}",
            "adaptive_pricing": {"enabled": False},
            "discounts": [],
            "collected_information": None,
            "permissions": None,
            "wallet_options": None,
            "origin_context": None,
            "currency_conversion": None,
            "customer_account": None,
            "integration_identifier": None,
            "managed_payments": None,
        }
        acct.put(session, line_items=items, pi_data=pi_data, sub_data=sub_data)
        self.state.register_page(sid, acct)
        return session

    def _refresh_session(self, acct: Account, session: dict[str, Any]) -> dict[str, Any]:
        if session["status"] == "open" and real_now() >= session["expires_at"]:
            self._expire_session(acct, session)
        return session

    def _expire_session(self, acct: Account, session: dict[str, Any]) -> None:
        session["status"] = "expired"
        session["url"] = None
        pi = acct.find("payment_intent", session["payment_intent"])
        if pi and pi["status"] not in ("succeeded", "canceled"):
            pi.update(status="canceled", canceled_at=real_now(), cancellation_reason="abandoned")
            self.emit(acct, "payment_intent.canceled", pi)
        self.emit(acct, "checkout.session.expired", session)

    def checkout_sessions_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._refresh_session(acct, self.get(acct, "checkout.session", id, "checkout.session"))

    def checkout_sessions_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        for s in acct.all("checkout.session"):
            self._refresh_session(acct, s)
        return self.list_filtered(
            acct,
            "checkout.session",
            params,
            "/v1/checkout/sessions",
            customer="customer",
            payment_intent="payment_intent",
            subscription="parent.subscription_details.subscription",
            status="status",
        )

    def checkout_sessions_expire(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        session = self._refresh_session(acct, self.get(acct, "checkout.session", id, "checkout.session"))
        if session["status"] != "open":
            raise invalid(
                f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
                f'Session has a status of "{session["status"]}".',
            )
        self._expire_session(acct, session)
        return session

    def checkout_session_line_items(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        self.get(acct, "checkout.session", id, "checkout.session")
        items = acct.priv(id)["line_items"]
        return self.paginate(items, params, f"/v1/checkout/sessions/{id}/line_items")

    def checkout_pay(self, acct: Account, session: dict[str, Any], form: dict[str, str]) -> tuple[str, str]:
        """The hosted page's submit.

        Returns ("redirect", url), ("error", message) or ("authenticate", url).
        """
        self._refresh_session(acct, session)
        if session["status"] != "open":
            return "error", "This Checkout Session is no longer available."
        try:
            pm = self._new_card_pm(
                acct,
                {
                    "number": form.get("cardnumber", ""),
                    "exp_month": form.get("exp_month"),
                    "exp_year": form.get("exp_year"),
                    "cvc": form.get("cvc", ""),
                },
                {"billing_details": {"email": form.get("email") or None, "name": form.get("name") or None}},
            )
        except StripeApiError as exc:
            return "error", exc.message
        behaviour = acct.priv(pm["id"])["card"]["behaviour"]
        acct.priv(session["id"]).update(
            pending_pm=pm["id"], email=form.get("email") or None, name=form.get("name") or None
        )
        if session["mode"] != "payment" and behaviour in (THREE_DS_ALWAYS, THREE_DS_ONE_TIME):
            return "authenticate", f"{self.state.base_url}/checkout/{session['id']}/authenticate"
        return self._complete_checkout(acct, session, pm)

    def checkout_authenticate(
        self, acct: Account, session: dict[str, Any], complete: bool
    ) -> tuple[str, str]:
        self._refresh_session(acct, session)
        if session["status"] != "open":
            return "error", "This Checkout Session is no longer available."
        pm = acct.objects.get(acct.priv(session["id"]).get("pending_pm", ""))
        if pm is None:
            return "error", "Enter your card details."
        if session["mode"] == "payment":
            pi = acct.objects[session["payment_intent"]]
            self.authenticate(acct, pi, complete)
            if pi["status"] == "succeeded":
                return self._finish_checkout(acct, session)
            return "error", AUTHENTICATION_FAILURE[1]
        if not complete:
            return "error", AUTHENTICATION_FAILURE[1]
        acct.priv(pm["id"])["authenticated"] = True
        return self._complete_checkout(acct, session, pm, authenticated=True)

    def _checkout_customer(self, acct: Account, session: dict[str, Any]) -> str:
        if session["customer"]:
            return session["customer"]
        private = acct.priv(session["id"])
        cus = self.customers_create(
            acct, {"email": session["customer_email"] or private.get("email"), "name": private.get("name")}
        )
        session["customer"] = cus["id"]
        return cus["id"]

    def _complete_checkout(
        self, acct: Account, session: dict[str, Any], pm: dict[str, Any], authenticated: bool = False
    ) -> tuple[str, str]:
        mode = session["mode"]
        behaviour = acct.priv(pm["id"])["card"]["behaviour"]
        if mode == "payment":
            pi = acct.find("payment_intent", session["payment_intent"])
            if pi is None:
                pi_data = acct.priv(session["id"])["pi_data"]
                if session["customer_creation"] == "always" or pi_data.get("setup_future_usage"):
                    self._checkout_customer(acct, session)
                pi = self._create_pi(
                    acct,
                    session["amount_total"],
                    session["currency"],
                    {
                        "customer": session["customer"],
                        "description": pi_data.get("description"),
                        "metadata": pi_data.get("metadata") or {},
                        "receipt_email": pi_data.get("receipt_email"),
                        "setup_future_usage": pi_data.get("setup_future_usage"),
                        "statement_descriptor_suffix": pi_data.get("statement_descriptor_suffix"),
                        "payment_method_types": session["payment_method_types"],
                    },
                    pi_data.get("capture_method"),
                )
                session["payment_intent"] = pi["id"]
            status = self._confirm(acct, pi, pm)
            if status == "requires_action":
                return "authenticate", f"{self.state.base_url}/checkout/{session['id']}/authenticate"
            if status != "succeeded":
                return "error", pi["last_payment_error"]["message"]
            return self._finish_checkout(acct, session)
        if behaviour.startswith("decline:"):
            return "error", DECLINE_MESSAGES[behaviour.split(":", 1)[1]][1]
        trial_days = acct.priv(session["id"])["sub_data"].get("trial_period_days")
        if mode == "subscription" and behaviour == ATTACH_THEN_FAIL and not trial_days:
            # Checkout only creates the subscription once the first payment goes through.
            return "error", DECLINE_MESSAGES["generic_decline"][1]
        customer_id = self._checkout_customer(acct, session)
        self._attach(acct, pm, customer_id)
        if mode == "setup":
            si = build.setup_intent(new_id("seti_"), real_now(), customer_id, pm["id"], "succeeded")
            acct.put(si)
            self.emit(acct, "setup_intent.created", si)
            self.emit(acct, "setup_intent.succeeded", si)
            session["setup_intent"] = si["id"]
            return self._finish_checkout(acct, session)
        items = [
            {"price": i["price"]["id"], "quantity": str(i["quantity"])}
            for i in acct.priv(session["id"])["line_items"]
        ]
        sub_data = acct.priv(session["id"])["sub_data"]
        sub = self._create_subscription(
            acct,
            customer_id,
            items,
            {
                "metadata": sub_data.get("metadata") or {},
                "description": sub_data.get("description"),
                "trial_period_days": int(trial_days) if trial_days else None,
            },
            default_pm=pm["id"],
            behaviour="allow_incomplete",
            authenticated=authenticated,
        )
        session["subscription"] = sub["id"]
        session["invoice"] = sub["latest_invoice"]
        if sub["status"] not in ("active", "trialing"):
            # Checkout does not leave a half-made subscription behind when the first payment fails.
            invoice = acct.objects[sub["latest_invoice"]]
            self._cancel_subscription(acct, sub, reason="payment_failed")
            self._void_invoice(acct, invoice)
            session["subscription"] = None
            session["invoice"] = None
            return "error", DECLINE_MESSAGES["generic_decline"][1]
        return self._finish_checkout(acct, session)

    def _finish_checkout(self, acct: Account, session: dict[str, Any]) -> tuple[str, str]:
        private = acct.priv(session["id"])
        session["status"] = "complete"
        if session["mode"] != "setup":
            session["payment_status"] = "paid" if session["amount_total"] else "no_payment_required"
        cus = acct.find("customer", session["customer"])
        session["customer_details"] = {
            "address": build.empty_address(),
            "email": session["customer_email"] or private.get("email") or (cus or {}).get("email"),
            "name": private.get("name") or (cus or {}).get("name"),
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
            "business_name": None,
            "individual_name": None,
        }
        session["url"] = None
        self.emit(acct, "checkout.session.completed", session)
        return "redirect", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])

    # -- subscriptions and invoices ------------------------------------------------------------

    def _subscription_item(
        self,
        sub_id: str,
        p: dict[str, Any],
        quantity: int,
        created: int,
        period: tuple[int, int],
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        return {
            "created": created,
            "discounts": [],
            "id": new_id("si_", 14),
            "metadata": metadata,
            "object": "subscription_item",
            "price": snapshot(p),
            "quantity": quantity,
            "subscription": sub_id,
            "tax_rates": [],
            "plan": build.plan_from_price(p),
            "current_period_end": period[1],
            "current_period_start": period[0],
            "billing_thresholds": None,
        }

    def _create_subscription(
        self,
        acct: Account,
        customer_id: str,
        raw_items: list[Any],
        params: dict[str, Any],
        default_pm: str | None,
        behaviour: str,
        authenticated: bool = False,
    ) -> dict[str, Any]:
        now = self.now(acct, customer_id)
        prices = []
        for i, item in enumerate(raw_items):
            name = f"items[{i}]"
            if not isinstance(item, dict):
                raise invalid("Invalid object", param=name)
            quantity = get_int(item, "quantity", default=1, minimum=1, name=f"{name}[quantity]")
            price_id = get_str(item, "price", name=f"{name}[price]")
            if price_id:
                p = self.get(acct, "price", price_id, "price", f"{name}[price]")
            else:
                data = get_dict(item, "price_data", required=True, name=f"{name}[price_data]")
                if "recurring" not in data:
                    raise missing_param(f"{name}[price_data][recurring]")
                p = self._price_from(acct, data, f"{name}[price_data]", product_data_allowed=False)
            if not p["recurring"]:
                raise invalid(
                    "The price specified is set to `type=one_time` but this field only accepts prices "
                    "with `type=recurring`.",
                    param=f"{name}[price]",
                )
            prices.append((p, quantity, get_metadata(item) or {}))
        if not prices:
            raise missing_param("items")
        if len({p["currency"] for p, _, _ in prices}) > 1:
            raise invalid("All prices on a subscription must have the same `currency`.", param="items")
        intervals = {(p["recurring"]["interval"], p["recurring"]["interval_count"]) for p, _, _ in prices}
        if len(intervals) > 1:
            raise invalid(
                "All prices on a subscription must have the same `recurring.interval` and "
                "`recurring.interval_count`.",
                param="items",
            )
        interval, count = intervals.pop()
        trial_days = params.get("trial_period_days")
        trial_end = now + trial_days * 86400 if trial_days else None
        anchor_day = dt.datetime.fromtimestamp(trial_end or now, dt.UTC).day
        # A trial is a first period of its own; the billing cycle starts when it ends.
        period = (now, trial_end or add_interval(now, interval, count, anchor_day))
        sub_id = new_id("sub_")
        items = [self._subscription_item(sub_id, p, q, now, period, md) for p, q, md in prices]
        cus = acct.objects[customer_id]
        sub = {
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
            "billing_cycle_anchor": trial_end or now,
            "billing_cycle_anchor_config": None,
            "cancel_at": None,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": prices[0][0]["currency"],
            "customer": customer_id,
            "days_until_due": None,
            "default_payment_method": default_pm,
            "default_source": None,
            "default_tax_rates": [],
            "description": params.get("description"),
            "discounts": [],
            "ended_at": None,
            "id": sub_id,
            "invoice_settings": {
                "account_tax_ids": None,
                "issuer": {"type": "self"},
                "custom_fields": None,
                "description": None,
                "footer": None,
            },
            "items": {
                "data": items,
                "has_more": False,
                "object": "list",
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "next_pending_invoice_item_invoice": None,
            "object": "subscription",
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            "status": "trialing" if trial_end else "incomplete",
            "test_clock": cus.get("test_clock"),
            "transfer_data": None,
            "trial_end": trial_end,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": now if trial_end else None,
            "cancel_at_period_end": bool(params.get("cancel_at_period_end")),
            "billing_thresholds": None,
            "billing_mode": {"type": "flexible", "flexible": {"proration_discounts": "included"}},
            "customer_account": None,
            "managed_payments": None,
            "billing_schedules": [],
        }
        acct.put(sub, interval=(interval, count, anchor_day))
        self.emit(acct, "customer.subscription.created", sub)
        invoice = self._cycle_invoice(acct, sub, "subscription_create", period, trial=bool(trial_end))
        if behaviour != "default_incomplete" or trial_end:
            self._collect(acct, invoice, sub, off_session=False, authenticated=authenticated)
        if trial_end:
            pass
        elif invoice["status"] == "paid":
            self._set_status(acct, sub, "active")
        elif behaviour == "error_if_incomplete":
            error = (acct.find("payment_intent", acct.priv(invoice["id"]).get("payment_intent")) or {}).get(
                "last_payment_error"
            ) or {}
            self._cancel_subscription(acct, sub, emit=False)
            acct.remove(sub["id"])
            raise StripeApiError(
                402,
                error.get("message", "Your card was declined."),
                type="card_error",
                code=error.get("code", "card_declined"),
                decline_code=error.get("decline_code"),
            )
        return sub

    def _set_status(self, acct: Account, sub: dict[str, Any], status: str) -> None:
        if sub["status"] == status:
            return
        previous = {"status": sub["status"]}
        sub["status"] = status
        self.emit(acct, "customer.subscription.updated", sub, previous)

    def _cycle_invoice(
        self, acct: Account, sub: dict[str, Any], reason: str, period: tuple[int, int], trial: bool = False
    ) -> dict[str, Any]:
        now = self.now(acct, sub["customer"])
        cus = acct.objects[sub["customer"]]
        inv_id = new_id("in_")
        lines = []
        for item in sub["items"]["data"]:
            p = item["price"]
            amount = 0 if trial else p["unit_amount"] * item["quantity"]
            product_name = acct.objects.get(p["product"], {}).get("name", "")
            description = (
                f"Trial period for {product_name}"
                if trial
                else f"{item['quantity']} x {product_name} (at "
                f"{p['unit_amount'] / (1 if p['currency'] in ZERO_DECIMAL else 100):.2f} / "
                f"{p['recurring']['interval']})"
            )
            lines.append(
                {
                    "amount": amount,
                    "currency": p["currency"],
                    "description": description,
                    "discount_amounts": [],
                    "discountable": True,
                    "discounts": [],
                    "id": new_id("il_"),
                    "invoice": inv_id,
                    "livemode": False,
                    "metadata": dict(item["metadata"]),
                    "object": "line_item",
                    "period": {"end": period[1], "start": period[0]},
                    "quantity": item["quantity"],
                    "subscription": sub["id"],
                    "pretax_credit_amounts": [],
                    "taxes": [],
                    "parent": {
                        "invoice_item_details": None,
                        "subscription_item_details": {
                            "invoice_item": None,
                            "proration": False,
                            "proration_details": {"credited_items": None},
                            "subscription": sub["id"],
                            "subscription_item": item["id"],
                        },
                        "type": "subscription_item_details",
                    },
                    "pricing": {
                        "price_details": {"price": p["id"], "product": p["product"]},
                        "type": "price_details",
                        "unit_amount_decimal": p["unit_amount_decimal"],
                    },
                    "subtotal": amount,
                    "quantity_decimal": str(item["quantity"]),
                }
            )
        total = sum(line["amount"] for line in lines)
        sequence = cus["next_invoice_sequence"]
        cus["next_invoice_sequence"] += 1
        invoice = {
            "account_country": "US",
            "account_name": acct.merchant_name,
            "account_tax_ids": None,
            "amount_due": total,
            "amount_paid": 0,
            "amount_remaining": total,
            "amount_shipping": 0,
            "application": None,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": True,
            "automatic_tax": {
                "enabled": False,
                "liability": None,
                "status": None,
                "disabled_reason": None,
                "provider": None,
            },
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": sub["currency"],
            "custom_fields": None,
            "customer": cus["id"],
            "customer_address": cus["address"],
            "customer_email": cus["email"],
            "customer_name": cus["name"],
            "customer_phone": cus["phone"],
            "customer_shipping": None,
            "customer_tax_exempt": "none",
            "customer_tax_ids": [],
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": None,
            "ending_balance": None,
            "footer": None,
            "from_invoice": None,
            "hosted_invoice_url": None,
            "id": inv_id,
            "invoice_pdf": None,
            "issuer": {"type": "self"},
            "last_finalization_error": None,
            "latest_revision": None,
            "lines": {
                "data": lines,
                "has_more": False,
                "object": "list",
                "url": f"/v1/invoices/{inv_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": None,
            "object": "invoice",
            "on_behalf_of": None,
            "payment_settings": {
                "default_mandate": None,
                "payment_method_options": None,
                "payment_method_types": None,
            },
            "period_end": period[0],
            "period_start": period[0],
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "rendering": None,
            "shipping_cost": None,
            "shipping_details": None,
            "starting_balance": 0,
            "statement_descriptor": None,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": total,
            "subtotal_excluding_tax": total,
            "test_clock": sub["test_clock"],
            "total": total,
            "total_discount_amounts": [],
            "total_excluding_tax": total,
            "webhooks_delivered_at": None,
            "automatically_finalizes_at": None,
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "amount_overpaid": 0,
            "parent": {
                "quote_details": None,
                "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
                "type": "subscription_details",
            },
            "customer_account": None,
        }
        acct.put(invoice)
        previous = {"latest_invoice": sub["latest_invoice"]}
        sub["latest_invoice"] = inv_id
        self.emit(acct, "invoice.created", invoice)
        invoice["status"] = "open"
        invoice["number"] = f"{cus['invoice_prefix']}-{sequence:04d}"
        invoice["effective_at"] = now
        invoice["status_transitions"]["finalized_at"] = now
        invoice["webhooks_delivered_at"] = now
        # Stripe sets the hosted invoice page's address when the invoice is finalised.
        invoice["hosted_invoice_url"] = _hosted_invoice.url_for(self.state.base_url, inv_id)
        self.emit(acct, "invoice.finalized", invoice)
        if reason != "subscription_create":
            self.emit(acct, "customer.subscription.updated", sub, previous)
        return invoice

    def _collect(
        self,
        acct: Account,
        invoice: dict[str, Any],
        sub: dict[str, Any] | None,
        *,
        off_session: bool,
        pm_id: str | None = None,
        authenticated: bool = False,
    ) -> str:
        """One payment attempt on an open invoice; returns the invoice status."""
        cus = acct.objects[invoice["customer"]]
        now = self.now(acct, cus["id"])
        if invoice["amount_due"] == 0:
            self._mark_paid(acct, invoice, now)
            return "paid"
        pm_id = (
            pm_id
            or (sub or {}).get("default_payment_method")
            or cus["invoice_settings"]["default_payment_method"]
        )
        invoice["attempted"] = True
        invoice["attempt_count"] += 1
        if not pm_id:
            invoice["next_payment_attempt"] = self._next_retry(invoice, now) if off_session else None
            self.emit(acct, "invoice.payment_failed", invoice)
            return invoice["status"]
        pm = acct.objects[pm_id]
        pi = self._create_pi(
            acct,
            invoice["amount_due"],
            invoice["currency"],
            {
                "customer": cus["id"],
                "description": "Subscription creation"
                if invoice["billing_reason"] == "subscription_create"
                else "Subscription update",
            },
        )
        acct.priv(invoice["id"])["payment_intent"] = pi["id"]
        payment = {
            "amount_paid": None,
            "amount_requested": invoice["amount_due"],
            "created": now,
            "currency": invoice["currency"],
            "id": new_id("inpay_"),
            "invoice": invoice["id"],
            "is_default": True,
            "livemode": False,
            "object": "invoice_payment",
            "payment": {"type": "payment_intent", "payment_intent": pi["id"]},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        }
        for older in acct.all("invoice_payment"):
            if older["invoice"] == invoice["id"]:
                older["is_default"] = False
        acct.put(payment)
        status = self._confirm(acct, pi, pm, off_session=off_session, authenticated=authenticated)
        if status == "succeeded":
            payment.update(status="paid", amount_paid=invoice["amount_due"])
            payment["status_transitions"]["paid_at"] = now
            self.emit(acct, "invoice_payment.paid", payment)
            self._mark_paid(acct, invoice, now)
            return "paid"
        if status == "requires_action":
            invoice["next_payment_attempt"] = None
            self.emit(acct, "invoice.payment_action_required", invoice)
        else:
            payment.update(status="canceled")
            payment["status_transitions"]["canceled_at"] = now
            invoice["next_payment_attempt"] = self._next_retry(invoice, now) if off_session else None
            self.emit(acct, "invoice.payment_failed", invoice)
        return invoice["status"]

    @staticmethod
    def _next_retry(invoice: dict[str, Any], now: int) -> int | None:
        """When a failed renewal is tried again: Stripe's classic schedule, 3, 5 and 7 days apart."""
        attempt = invoice["attempt_count"]
        return now + RETRY_DAYS[attempt - 1] * 86400 if attempt <= len(RETRY_DAYS) else None

    def _mark_paid(self, acct: Account, invoice: dict[str, Any], now: int) -> None:
        invoice.update(
            status="paid", amount_paid=invoice["amount_due"], amount_remaining=0, next_payment_attempt=None
        )
        invoice["status_transitions"]["paid_at"] = now
        self.emit(acct, "invoice.paid", invoice)
        self.emit(acct, "invoice.payment_succeeded", invoice)

    def _void_invoice(self, acct: Account, invoice: dict[str, Any]) -> None:
        invoice.update(status="void", amount_remaining=0, next_payment_attempt=None)
        invoice["status_transitions"]["voided_at"] = real_now()
        self.emit(acct, "invoice.voided", invoice)

    def _cancel_subscription(
        self,
        acct: Account,
        sub: dict[str, Any],
        reason: str = "cancellation_requested",
        emit: bool = True,
        at: int | None = None,
    ) -> None:
        now = at or self.now(acct, sub["customer"])
        sub.update(
            status="canceled" if sub["status"] != "incomplete" else "incomplete_expired",
            canceled_at=now,
            ended_at=now,
        )
        sub["cancellation_details"]["reason"] = reason
        if emit:
            self.emit(acct, "customer.subscription.deleted", sub)

    def subscriptions_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = get_str(params, "customer", required=True)
        self.get(acct, "customer", customer_id, "customer", "customer")
        items = get_list(params, "items", required=True)
        behaviour = get_str(
            params,
            "payment_behavior",
            default="allow_incomplete",
            choices=(
                "allow_incomplete",
                "default_incomplete",
                "error_if_incomplete",
                "pending_if_incomplete",
            ),
        )
        pm_id = get_str(params, "default_payment_method")
        if pm_id:
            pm = self.get(acct, "payment_method", pm_id, "PaymentMethod", "default_payment_method")
            if pm["customer"] != customer_id:
                raise invalid(
                    f"The customer does not have a payment method with the ID {pm_id}. The payment "
                    "method must be attached to the customer.",
                    param="default_payment_method",
                )
        get_str(params, "collection_method", choices=("charge_automatically",))
        return self._create_subscription(
            acct,
            customer_id,
            items,
            {
                "metadata": get_metadata(params) or {},
                "description": get_str(params, "description"),
                "cancel_at_period_end": get_bool(params, "cancel_at_period_end", default=False),
                "trial_period_days": get_int(params, "trial_period_days", minimum=1, maximum=730),
            },
            pm_id,
            behaviour,
        )

    def subscriptions_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "subscription", id, "subscription")

    def subscriptions_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        sub = self.get(acct, "subscription", id, "subscription")
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise invalid("A canceled subscription can only update its cancellation_details and metadata.")
        if "items" in params:
            raise invalid("Changing a subscription's items is not supported by this emulator.", param="items")
        previous: dict[str, Any] = {}
        if "cancel_at_period_end" in params:
            value = get_bool(params, "cancel_at_period_end")
            if value != sub["cancel_at_period_end"]:
                previous["cancel_at_period_end"] = sub["cancel_at_period_end"]
                previous["cancel_at"] = sub["cancel_at"]
                sub["cancel_at_period_end"] = value
                sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"] if value else None
                previous["canceled_at"] = sub["canceled_at"]
                sub["canceled_at"] = self.now(acct, sub["customer"]) if value else None
        if "default_payment_method" in params:
            pm_id = get_str(params, "default_payment_method") or None
            if pm_id:
                pm = self.get(acct, "payment_method", pm_id, "PaymentMethod", "default_payment_method")
                if pm["customer"] != sub["customer"]:
                    raise invalid(
                        f"The customer does not have a payment method with the ID {pm_id}. The "
                        "payment method must be attached to the customer.",
                        param="default_payment_method",
                    )
            previous["default_payment_method"] = sub["default_payment_method"]
            sub["default_payment_method"] = pm_id
        if "description" in params:
            previous["description"] = sub["description"]
            sub["description"] = get_str(params, "description") or None
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = sub["metadata"]
            sub["metadata"] = merge_metadata(sub["metadata"], metadata)
        if previous:
            self.emit(acct, "customer.subscription.updated", sub, previous)
        return sub

    def subscriptions_cancel(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        sub = self.get(acct, "subscription", id, "subscription")
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise invalid(f"No such subscription: '{id}'", code="resource_missing", param="id")
        self._cancel_subscription(acct, sub)
        return sub

    def subscriptions_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        status = get_str(params, "status")
        items = acct.all("subscription")
        if status is None:
            items = [s for s in items if s["status"] not in ("canceled", "incomplete_expired")]
        elif status != "all":
            items = [s for s in items if s["status"] == status]
        for key in ("customer", "test_clock"):
            value = get_str(params, key)
            if value:
                items = [s for s in items if s[key] == value]
        price = get_str(params, "price")
        if price:
            items = [s for s in items if any(i["price"]["id"] == price for i in s["items"]["data"])]
        created = created_filter(params)
        return self.paginate([s for s in items if created(s["created"])], params, "/v1/subscriptions")

    def subscription_items_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        sub = self.get(
            acct,
            "subscription",
            get_str(params, "subscription", required=True),
            "subscription",
            "subscription",
        )
        return self.paginate(sub["items"]["data"], params, "/v1/subscription_items")

    def subscription_items_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        for sub in acct.all("subscription"):
            for item in sub["items"]["data"]:
                if item["id"] == id:
                    return item
        raise not_found("subscription_item", id)

    def invoices_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "invoice", id, "invoice")

    def invoices_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct,
            "invoice",
            params,
            "/v1/invoices",
            customer="customer",
            subscription="parent.subscription_details.subscription",
            status="status",
        )

    def invoice_lines(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        invoice = self.get(acct, "invoice", id, "invoice")
        return self.paginate(invoice["lines"]["data"], params, f"/v1/invoices/{id}/lines")

    def invoices_pay(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        invoice = self.get(acct, "invoice", id, "invoice")
        if invoice["status"] != "open":
            raise invalid(
                "Invoice is already paid"
                if invoice["status"] == "paid"
                else f"You can only pay an open invoice; this one is {invoice['status']}.",
                code="invoice_not_open",
            )
        pm_id = get_str(params, "payment_method")
        if pm_id:
            pm = self._payment_method_for(acct, pm_id, "payment_method")
            if pm["customer"] is None:
                self._attach(acct, pm, invoice["customer"])
            pm_id = pm["id"]
        sub = acct.find("subscription", invoice["parent"]["subscription_details"]["subscription"])
        status = self._collect(
            acct, invoice, sub, off_session=get_bool(params, "off_session", default=True), pm_id=pm_id
        )
        if sub and status == "paid" and sub["status"] in ("past_due", "incomplete", "unpaid"):
            self._set_status(acct, sub, "active")
        if status != "paid":
            pi = (
                acct.objects[acct.priv(invoice["id"])["payment_intent"]]
                if acct.priv(invoice["id"]).get("payment_intent")
                else None
            )
            error = (pi or {}).get("last_payment_error") or {}
            raise StripeApiError(
                402,
                error.get("message", "Your card was declined."),
                type="card_error",
                code=error.get("code", "card_declined"),
                decline_code=error.get("decline_code"),
            )
        return invoice

    def invoice_payments_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("invoice_payment")
        invoice_id = get_str(params, "invoice")
        if invoice_id:
            items = [p for p in items if p["invoice"] == invoice_id]
        payment = get_dict(params, "payment") or {}
        if payment.get("payment_intent"):
            items = [p for p in items if p["payment"].get("payment_intent") == payment["payment_intent"]]
        return self.paginate(items, params, "/v1/invoice_payments")

    def invoice_payments_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "invoice_payment", id, "invoice_payment")

    # -- test clocks ---------------------------------------------------------------------------

    def test_clocks_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        frozen = get_int(params, "frozen_time", required=True)
        clock = build.test_clock(new_id("clock_"), real_now(), frozen, get_str(params, "name"))
        acct.put(clock)
        self.emit(acct, "test_helpers.test_clock.created", clock)
        return clock

    def test_clocks_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")

    def test_clocks_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.paginate(acct.all("test_helpers.test_clock"), params, "/v1/test_helpers/test_clocks")

    def test_clocks_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        clock = self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")
        for cus in acct.all("customer"):
            if cus.get("test_clock") == id:
                acct.remove(cus["id"])
        acct.remove(id)
        self.emit(acct, "test_helpers.test_clock.deleted", clock)
        return {"deleted": True, "id": id, "object": "test_helpers.test_clock"}

    def test_clocks_advance(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        clock = self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")
        target = get_int(params, "frozen_time", required=True)
        if target <= clock["frozen_time"]:
            raise invalid(
                "The test clock can only be advanced to a time after its current frozen_time.",
                param="frozen_time",
            )
        clock["status"] = "advancing"
        clock["status_details"] = {"advancing": {"target_frozen_time": target}}
        self.emit(acct, "test_helpers.test_clock.advancing", clock)
        self.advance_clock(acct, clock, target)
        clock["status"] = "ready"
        clock["status_details"] = {}
        self.emit(acct, "test_helpers.test_clock.ready", clock)
        return clock

    def advance_clock(self, acct: Account, clock: dict[str, Any], target: int) -> None:
        customers = {c["id"] for c in acct.all("customer") if c.get("test_clock") == clock["id"]}
        while True:
            # Renewals and payment retries happen in time order, one at a time.
            due: list[tuple[int, str, dict[str, Any]]] = [
                (s["items"]["data"][0]["current_period_end"], "renew", s)
                for s in acct.all("subscription")
                if s["customer"] in customers
                and s["status"] in ("active", "past_due", "trialing")
                and s["items"]["data"][0]["current_period_end"] <= target
            ]
            # Stripe warns three days before a trial ends (at once for shorter trials).
            due += [
                (max(s["trial_end"] - 3 * 86400, s["trial_start"]), "trial_will_end", s)
                for s in acct.all("subscription")
                if s["customer"] in customers
                and s["status"] == "trialing"
                and not acct.priv(s["id"]).get("trial_warned")
                and max(s["trial_end"] - 3 * 86400, s["trial_start"]) <= target
            ]
            due += [
                (i["next_payment_attempt"], "retry", i)
                for i in acct.all("invoice")
                if i["customer"] in customers
                and i["status"] == "open"
                and i["next_payment_attempt"]
                and i["next_payment_attempt"] <= target
            ]
            if not due:
                break
            when, action, obj = min(due, key=lambda d: (d[0], d[1]))
            clock["frozen_time"] = when
            if action == "trial_will_end":
                acct.priv(obj["id"])["trial_warned"] = True
                self.emit(acct, "customer.subscription.trial_will_end", obj)
            elif action == "renew":
                self._renew(acct, obj)
            else:
                self._retry(acct, obj)
        clock["frozen_time"] = target

    def _retry(self, acct: Account, invoice: dict[str, Any]) -> None:
        sub = acct.find("subscription", invoice["parent"]["subscription_details"]["subscription"])
        status = self._collect(acct, invoice, sub, off_session=True)
        if sub is None or sub["status"] in ("canceled", "incomplete_expired"):
            return
        if status == "paid":
            self._set_status(acct, sub, "active")
        elif invoice["next_payment_attempt"] is None:
            # Stripe's default when every retry has failed: cancel the subscription.
            self._cancel_subscription(acct, sub, reason="payment_failed")

    def _renew(self, acct: Account, sub: dict[str, Any]) -> None:
        start = sub["items"]["data"][0]["current_period_end"]
        if sub["cancel_at_period_end"] or (sub["cancel_at"] and sub["cancel_at"] <= start):
            self._cancel_subscription(acct, sub, at=start)
            return
        interval, count, anchor_day = acct.priv(sub["id"])["interval"]
        end = add_interval(start, interval, count, anchor_day)
        previous_start = sub["items"]["data"][0]["current_period_start"]
        for item in sub["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = start, end
        invoice = self._cycle_invoice(acct, sub, "subscription_cycle", (start, end))
        # Stripe's invoice period is the one that just ended; its lines bill the one that starts.
        invoice["period_start"], invoice["period_end"] = previous_start, start
        status = self._collect(acct, invoice, sub, off_session=True)
        if status == "paid":
            if sub["status"] in ("past_due", "trialing"):
                self._set_status(acct, sub, "active")
        else:
            self._set_status(acct, sub, "past_due")

    # -- billing portal ------------------------------------------------------------------------

    def portal_configurations_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return portal.create(self, acct, params)

    def portal_configurations_retrieve(
        self, acct: Account, params: dict[str, Any], id: str
    ) -> dict[str, Any]:
        return portal.retrieve(acct, id)

    def portal_configurations_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return portal.update(self, acct, params, id)

    def portal_configurations_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return portal.listing(self, acct, params)

    def portal_sessions_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = get_str(params, "customer", required=True)
        self.get(acct, "customer", customer_id, "customer", "customer")
        # Refused, as by Stripe, unless a configuration is given or the account's default one was saved.
        configuration = portal.for_session(acct, params)
        return_url = get_str(params, "return_url")
        flow_data = get_dict(params, "flow_data")
        flow = None
        if flow_data:
            kind = get_str(
                flow_data,
                "type",
                required=True,
                name="flow_data[type]",
                choices=(
                    "payment_method_update",
                    "subscription_cancel",
                    "subscription_update",
                    "subscription_update_confirm",
                ),
            )
            if kind != "payment_method_update":
                raise invalid(
                    f"The portal flow {kind!r} is not supported by this emulator.", param="flow_data[type]"
                )
            portal.check_flow(configuration, kind)
            after = get_dict(flow_data, "after_completion", name="flow_data[after_completion]") or {}
            after_type = get_str(
                after,
                "type",
                default="portal_homepage",
                choices=("hosted_confirmation", "portal_homepage", "redirect"),
                name="flow_data[after_completion][type]",
            )
            redirect = get_dict(after, "redirect") or {}
            if after_type == "redirect" and not redirect.get("return_url"):
                raise missing_param("flow_data[after_completion][redirect][return_url]")
            flow = {
                "after_completion": {
                    "hosted_confirmation": {"custom_message": None}
                    if after_type == "hosted_confirmation"
                    else None,
                    "redirect": {"return_url": redirect["return_url"]} if after_type == "redirect" else None,
                    "type": after_type,
                },
                "subscription_cancel": None,
                "subscription_update": None,
                "subscription_update_confirm": None,
                "type": kind,
            }
        sid = new_id("bps_")
        session = {
            "configuration": configuration["id"],
            "created": real_now(),
            "customer": customer_id,
            "flow": flow,
            "id": sid,
            "livemode": False,
            "locale": get_str(params, "locale"),
            "object": "billing_portal.session",
            "on_behalf_of": None,
            "return_url": return_url,
            "url": f"{self.state.base_url}/billing_portal/{sid}",
            "customer_account": None,
        }
        acct.put(session)
        self.state.register_page(sid, acct)
        return session

    def portal_update_card(
        self, acct: Account, session: dict[str, Any], form: dict[str, str]
    ) -> tuple[str, str]:
        try:
            pm = self._new_card_pm(
                acct,
                {
                    "number": form.get("cardnumber", ""),
                    "exp_month": form.get("exp_month"),
                    "exp_year": form.get("exp_year"),
                    "cvc": form.get("cvc", ""),
                },
                {"billing_details": {"name": form.get("name") or None}},
            )
            self._attach(acct, pm, session["customer"])
        except StripeApiError as exc:
            return "error", exc.message
        cus = acct.objects[session["customer"]]
        previous = {"invoice_settings": dict(cus["invoice_settings"])}
        cus["invoice_settings"]["default_payment_method"] = pm["id"]
        self.emit(acct, "customer.updated", cus, previous)
        for sub in acct.all("subscription"):
            if (
                sub["customer"] == cus["id"]
                and sub["status"] not in ("canceled", "incomplete_expired")
                and sub["default_payment_method"]
            ):
                self.subscriptions_update(acct, {"default_payment_method": pm["id"]}, sub["id"])
        flow = session["flow"]
        if flow and flow["after_completion"]["type"] == "redirect":
            return "redirect", flow["after_completion"]["redirect"]["return_url"]
        if flow and session["return_url"] and flow["after_completion"]["type"] == "portal_homepage":
            return "redirect", session["return_url"]
        return "done", "Your payment method was updated."

    # -- webhook endpoints and events ----------------------------------------------------------

    def webhook_endpoints_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        url = get_str(params, "url", required=True)
        check_webhook_url(url, self.state.allow_local_webhooks)
        events = get_list(params, "enabled_events", required=True)
        if not events:
            raise missing_param("enabled_events")
        get_metadata(params)
        endpoint = build.webhook_endpoint(
            new_id("we_"), real_now(), {**params, "enabled_events": list(events)}
        )
        secret = "whsec_" + new_id("", 32)
        acct.put(endpoint, secret=secret)
        response = snapshot(endpoint)
        response["secret"] = secret
        return response

    def webhook_endpoints_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "webhook_endpoint", id, "webhook endpoint")

    def webhook_endpoints_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        endpoint = self.get(acct, "webhook_endpoint", id, "webhook endpoint")
        if "url" in params:
            url = get_str(params, "url", required=True)
            check_webhook_url(url, self.state.allow_local_webhooks)
            endpoint["url"] = url
        if "enabled_events" in params:
            endpoint["enabled_events"] = list(get_list(params, "enabled_events"))
        if "description" in params:
            endpoint["description"] = get_str(params, "description") or None
        if "disabled" in params:
            endpoint["status"] = "disabled" if get_bool(params, "disabled") else "enabled"
        metadata = get_metadata(params)
        if metadata is not None:
            endpoint["metadata"] = merge_metadata(endpoint["metadata"], metadata)
        return endpoint

    def webhook_endpoints_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        self.get(acct, "webhook_endpoint", id, "webhook endpoint")
        acct.remove(id)
        return {"deleted": True, "id": id, "object": "webhook_endpoint"}

    def webhook_endpoints_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.paginate(acct.all("webhook_endpoint"), params, "/v1/webhook_endpoints")

    def events_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        # Rendered at the event's own API version, whatever Stripe-Version the request sends.
        return _versions.render_event(acct, self.get(acct, "event", id, "event"))

    def events_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("event")
        kind = get_str(params, "type")
        types = get_list(params, "types")
        if kind and types:
            raise invalid("You may only specify one of these parameters: type, types.", param="types")
        # ``type`` takes one name or a ``*`` wildcard; ``types`` up to 20 exact names (API reference).
        if types and len(types) > 20:
            raise invalid("You may pass at most 20 event types.", param="types")
        for name in types or []:
            if not isinstance(name, str) or "*" in name:
                raise invalid("types takes exact event names; use type for a wildcard.", param="types")
        patterns = [kind] if kind else (types or [])
        if patterns:
            regexes = [re.compile("^" + re.escape(p).replace(r"\*", "[^.]*(\\..*)?") + "$") for p in patterns]
            items = [e for e in items if any(r.match(e["type"]) for r in regexes)]
        if "delivery_success" in params:
            delivered = get_bool(params, "delivery_success")
            items = [e for e in items if (e["pending_webhooks"] == 0) == delivered]
        created = created_filter(params)
        page = self.paginate([e for e in items if created(e["created"])], params, "/v1/events")
        page["data"] = [_versions.render_event(acct, e) for e in page["data"]]
        return page

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

    # Fields that Stripe only includes when asked for with ``expand[]``.
    def virtual_field(self, acct: Account, obj: dict[str, Any], key: str) -> Any:
        if obj.get("object") == "checkout.session" and key == "line_items":
            return self.paginate(
                acct.priv(obj["id"])["line_items"],
                {"limit": "100"},
                f"/v1/checkout/sessions/{obj['id']}/line_items",
            )
        if obj.get("object") == "invoice" and key == "payments":
            items = [p for p in acct.all("invoice_payment") if p["invoice"] == obj["id"]]
            return self.paginate(items, {"limit": "100"}, f"/v1/invoice_payments?invoice={obj['id']}")
        if obj.get("object") == "charge" and key == "refunds":
            # Not part of a Charge since 2022-11-15: only ``expand[]=refunds`` brings it, newest first.
            items = [r for r in acct.all("refund") if r["charge"] == obj["id"]]
            return self.paginate(items, {"limit": "100"}, f"/v1/charges/{obj['id']}/refunds")
        raise invalid(f"This property cannot be expanded ({key}).", param="expand")
