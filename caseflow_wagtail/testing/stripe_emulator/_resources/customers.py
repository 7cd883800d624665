"""Customers: ``/v1/customers`` and a customer's payment methods."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id
from .._errors import invalid
from .._values import get_dict, get_metadata, get_str, merge_metadata
from .base import Resource


class Customers(Resource):
    """Create, read, update, delete and list customers."""

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
