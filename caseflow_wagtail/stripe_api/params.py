"""The parameters of the Checkout Sessions the plugin opens, built the same way every time."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

logger = logging.getLogger(__name__)


# -- Checkout ----------------------------------------------------------------------------------------------


def plain(obj: Any) -> dict[str, Any]:
    """Stripe's objects as plain dicts, so nothing outside this module handles stripe types.

    stripe-python turns Stripe's decimal strings (``unit_amount_decimal``, ``quantity_decimal`` …) into
    ``Decimal``; they go back to the strings Stripe sent, so a fetched object is shaped like a webhook's
    and can be stored as JSON (an event's payload).
    """
    return _wire(obj.to_dict() if hasattr(obj, "to_dict") else dict(obj))


def _wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


def checkout_session_params(
    *,
    lines: Sequence[tuple[str, int]],
    currency: str,
    customer_email: str,
    description: str,
    metadata: dict[str, str],
    client_reference_id: str,
    success_url: str,
    cancel_url: str,
    expires_at: int,
) -> dict[str, Any]:
    """A card-only Checkout Session in payment mode, one line item per ``(name, amount in minor units)``."""
    params: dict[str, Any] = {
        "mode": "payment",
        "allowed_payment_method_types": ["card"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount_minor,
                    "product_data": {"name": name},
                },
            }
            for name, amount_minor in lines
        ],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        "payment_intent_data": {"description": description, "metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
    }
    if customer_email:
        params["customer_email"] = customer_email
    return params


def subscription_checkout_params(
    *,
    customer: str,
    price: str,
    metadata: dict[str, str],
    client_reference_id: str,
    success_url: str,
    cancel_url: str,
    expires_at: int,
) -> dict[str, Any]:
    """A Checkout Session in subscription mode: the client saves a card and pays the first cycle."""
    return {
        "mode": "subscription",
        "customer": customer,
        "allowed_payment_method_types": ["card"],
        "line_items": [{"price": price, "quantity": 1}],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        # On the subscription too, so its invoices (parent.subscription_details) say whose they are.
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
    }
