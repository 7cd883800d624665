"""Subscriptions and their items: creation (first invoice included), updates, cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import _objects as build
from .._core import Account, new_id, snapshot
from .._errors import StripeApiError, invalid, missing_param, not_found
from .._values import (
    created_filter,
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_metadata,
    get_str,
    merge_metadata,
)
from .base import Resource, add_interval


class Subscriptions(Resource):
    """``/v1/subscriptions`` and ``/v1/subscription_items``."""

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
