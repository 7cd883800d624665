"""Builders for Stripe objects, shaped like API version 2026-10-28 (keys as in Stripe's OpenAPI fixtures).

One module per group of resources; resources use them as ``build.<object>(...)`` through this module.
"""

from __future__ import annotations

from .catalog import checkout_line_item, customer, plan_from_price, price, product
from .charges import balance_transaction, charge, dispute, fee_for, refund
from .developers import test_clock, webhook_endpoint
from .payments import (
    billing_details,
    card_details,
    empty_address,
    payment_intent,
    payment_method,
    setup_intent,
)

__all__ = [
    "balance_transaction",
    "billing_details",
    "card_details",
    "charge",
    "checkout_line_item",
    "customer",
    "dispute",
    "empty_address",
    "fee_for",
    "payment_intent",
    "payment_method",
    "plan_from_price",
    "price",
    "product",
    "refund",
    "setup_intent",
    "test_clock",
    "webhook_endpoint",
]
