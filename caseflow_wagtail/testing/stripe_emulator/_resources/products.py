"""Products and prices: ``/v1/products`` and ``/v1/prices``."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id, real_now
from .._errors import invalid, missing_param
from .._values import created_filter, get_bool, get_dict, get_int, get_metadata, get_str, merge_metadata
from .base import Resource, read_currency


class Products(Resource):
    """The catalogue: products and their prices (also made inline by Checkout and subscriptions)."""

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

        currency = read_currency(params, name=name("currency"))
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
