"""Customers, products, prices and Checkout line items."""

from __future__ import annotations

import hashlib
from typing import Any


def customer(oid: str, created: int, params: dict[str, Any], test_clock: str | None) -> dict[str, Any]:
    invoice_settings = params.get("invoice_settings") or {}
    return {
        "address": params.get("address") or None,
        "balance": 0,
        "created": created,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": params.get("description"),
        "discount": None,
        "email": params.get("email"),
        "id": oid,
        "invoice_prefix": hashlib.sha1(oid.encode()).hexdigest()[:8].upper(),  # noqa: S324 - not security
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": invoice_settings.get("default_payment_method"),
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "name": params.get("name"),
        "next_invoice_sequence": 1,
        "object": "customer",
        "phone": params.get("phone"),
        "preferred_locales": params.get("preferred_locales") or [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": test_clock,
    }


def product(oid: str, created: int, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "active": params.get("active", True),
        "created": created,
        "default_price": None,
        "description": params.get("description"),
        "id": oid,
        "images": params.get("images") or [],
        "livemode": False,
        "marketing_features": [],
        "metadata": params.get("metadata") or {},
        "name": params["name"],
        "object": "product",
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": params.get("statement_descriptor"),
        "tax_code": None,
        "unit_label": params.get("unit_label"),
        "updated": created,
        "url": None,
        "type": "service",
    }


def price(
    oid: str,
    created: int,
    product_id: str,
    currency: str,
    unit_amount: int,
    recurring: dict[str, Any] | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    return {
        "active": params.get("active", True),
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": None,
        "id": oid,
        "livemode": False,
        "lookup_key": params.get("lookup_key"),
        "metadata": params.get("metadata") or {},
        "nickname": params.get("nickname"),
        "object": "price",
        "product": product_id,
        "recurring": (
            {
                "interval": recurring["interval"],
                "interval_count": recurring["interval_count"],
                "meter": None,
                "usage_type": "licensed",
                "trial_period_days": None,
            }
            if recurring
            else None
        ),
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }


def plan_from_price(p: dict[str, Any]) -> dict[str, Any]:
    recurring = p["recurring"] or {}
    return {
        "active": p["active"],
        "amount": p["unit_amount"],
        "amount_decimal": p["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": p["created"],
        "currency": p["currency"],
        "id": p["id"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count"),
        "livemode": False,
        "metadata": p["metadata"],
        "meter": None,
        "nickname": p["nickname"],
        "object": "plan",
        "product": p["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def checkout_line_item(oid: str, p: dict[str, Any], quantity: int, description: str) -> dict[str, Any]:
    total = p["unit_amount"] * quantity
    return {
        "amount_discount": 0,
        "amount_subtotal": total,
        "amount_tax": 0,
        "amount_total": total,
        "currency": p["currency"],
        "description": description,
        "id": oid,
        "object": "item",
        "price": p,
        "quantity": quantity,
        "metadata": {},
        "adjustable_quantity": None,
    }
