"""Payment methods (cards), payment intents and setup intents."""

from __future__ import annotations

from typing import Any

from .._core import new_id


def empty_address() -> dict[str, Any]:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def card_details(card: dict[str, Any]) -> dict[str, Any]:
    """``payment_method.card`` from the private card record."""
    return {
        "brand": card["brand"],
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": card["cvc_check"],
        },
        "country": "US",
        "display_brand": card["brand"],
        "exp_month": card["exp_month"],
        "exp_year": card["exp_year"],
        "fingerprint": card["fingerprint"],
        "funding": card["funding"],
        "generated_from": None,
        "last4": card["last4"],
        "networks": {"available": [card["brand"]], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
        "regulated_status": "unregulated",
    }


def billing_details(params: dict[str, Any] | None = None) -> dict[str, Any]:
    params = params or {}
    address = params.get("address")
    return {
        "address": {**empty_address(), **address} if isinstance(address, dict) else empty_address(),
        "email": params.get("email"),
        "name": params.get("name"),
        "phone": params.get("phone"),
        "tax_id": None,
    }


def payment_method(oid: str, created: int, card: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    return {
        "allow_redisplay": "unspecified",
        "billing_details": billing_details(params.get("billing_details")),
        "card": card_details(card),
        "created": created,
        "customer": None,
        "id": oid,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "object": "payment_method",
        "type": "card",
        "customer_account": None,
    }


def payment_intent(
    oid: str, created: int, amount: int, currency: str, params: dict[str, Any]
) -> dict[str, Any]:
    return {
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{oid}_secret_{new_id('', 25)}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": params.get("customer"),
        "description": params.get("description"),
        "id": oid,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "next_action": None,
        "object": "payment_intent",
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "allowed_payment_method_types": params.get("allowed_payment_method_types") or None,
        "payment_method_types": params.get("allowed_payment_method_types")
        or params.get("payment_method_types")
        or ["card"],
        "processing": None,
        "receipt_email": params.get("receipt_email"),
        "review": None,
        "setup_future_usage": params.get("setup_future_usage"),
        "shipping": None,
        "statement_descriptor": params.get("statement_descriptor"),
        "statement_descriptor_suffix": params.get("statement_descriptor_suffix"),
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
        "excluded_payment_method_types": None,
        "customer_account": None,
        "managed_payments": None,
    }


def setup_intent(
    oid: str,
    created: int,
    customer_id: str | None,
    pm_id: str | None,
    status: str,
    usage: str = "off_session",
) -> dict[str, Any]:
    return {
        "application": None,
        "automatic_payment_methods": None,
        "cancellation_reason": None,
        "client_secret": f"{oid}_secret_{new_id('', 25)}",
        "created": created,
        "customer": customer_id,
        "description": None,
        "flow_directions": None,
        "id": oid,
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": {},
        "next_action": None,
        "object": "setup_intent",
        "on_behalf_of": None,
        "payment_method": pm_id,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
        },
        "payment_method_types": ["card"],
        "single_use_mandate": None,
        "status": status,
        "usage": usage,
        "excluded_payment_method_types": None,
    }
