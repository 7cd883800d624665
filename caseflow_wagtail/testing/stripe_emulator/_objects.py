"""Builders for Stripe objects, shaped like API version 2026-10-28 (keys as in Stripe's OpenAPI fixtures)."""

from __future__ import annotations

import hashlib
from typing import Any

from ._core import new_id


def empty_address() -> dict[str, Any]:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def fee_for(amount: int) -> int:
    """Stripe's US card pricing, 2.9% + 30 minor units, rounded half up."""
    return (amount * 29 + 500) // 1000 + 30


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


def charge(
    oid: str,
    created: int,
    pi: dict[str, Any],
    pm: dict[str, Any],
    card: dict[str, Any],
    failure: tuple[str, str, str] | None,
    balance_txn: str | None,
) -> dict[str, Any]:
    amount = pi["amount"]
    card_view = pm["card"]
    if failure:
        _code, decline_code, _message = failure
        outcome = {
            "advice_code": "try_again_later" if decline_code == "generic_decline" else None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "declined_by_network",
            "reason": decline_code,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }
    else:
        outcome = {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "seller_message": "Payment complete.",
            "type": "authorized",
        }
    return {
        "amount": amount,
        "amount_captured": 0 if failure else amount,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": balance_txn,
        "billing_details": pm["billing_details"],
        "calculated_statement_descriptor": "CASEFLOW TEST",
        "captured": not failure,
        "created": created,
        "currency": pi["currency"],
        "customer": pi["customer"],
        "description": pi["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure[0] if failure else None,
        "failure_message": failure[2] if failure else None,
        "fraud_details": {},
        "id": oid,
        "livemode": False,
        "metadata": dict(pi["metadata"]),
        "object": "charge",
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": not failure,
        "payment_intent": pi["id"],
        "payment_method": pm["id"],
        "payment_method_details": {
            "card": {
                "amount_authorized": None if failure else amount,
                "brand": card_view["brand"],
                "checks": card_view["checks"],
                "country": "US",
                "exp_month": card_view["exp_month"],
                "exp_year": card_view["exp_year"],
                "extended_authorization": {"status": "disabled"},
                "fingerprint": card_view["fingerprint"],
                "funding": card_view["funding"],
                "incremental_authorization": {"status": "unavailable"},
                "installments": None,
                "last4": card_view["last4"],
                "mandate": None,
                "multicapture": {"status": "unavailable"},
                "network": card_view["brand"],
                "network_token": {"used": False},
                "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
                "three_d_secure": None,
                "wallet": None,
                "authorization_code": None if failure else "123456",
                "regulated_status": "unregulated",
                "network_transaction_id": "emu" + oid[3:15],
                "transaction_link_id": None,
            },
            "type": "card",
        },
        "receipt_email": pi["receipt_email"],
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": pi["statement_descriptor"],
        "statement_descriptor_suffix": pi["statement_descriptor_suffix"],
        "status": "failed" if failure else "succeeded",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
    }


def balance_transaction(
    oid: str,
    created: int,
    amount: int,
    fee: int,
    currency: str,
    source: str,
    kind: str,
    description: str | None,
) -> dict[str, Any]:
    return {
        "amount": amount,
        "available_on": created + 2 * 86400,
        "created": created,
        "currency": currency,
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": (
            [
                {
                    "amount": fee,
                    "application": None,
                    "currency": currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ]
            if fee
            else []
        ),
        "id": oid,
        "net": amount - fee,
        "object": "balance_transaction",
        "reporting_category": kind,
        "source": source,
        "status": "pending",
        "type": kind,
        "balance_type": "payments",
    }


def refund(
    oid: str, created: int, ch: dict[str, Any], amount: int, txn: str, params: dict[str, Any]
) -> dict[str, Any]:
    return {
        "amount": amount,
        "balance_transaction": txn,
        "charge": ch["id"],
        "created": created,
        "currency": ch["currency"],
        "destination_details": {
            "card": {
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
                "reference": None,
            },
            "type": "card",
        },
        "id": oid,
        "metadata": params.get("metadata") or {},
        "object": "refund",
        "payment_intent": ch["payment_intent"],
        "reason": params.get("reason"),
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
        "customer": ch["customer"],
        "customer_account": None,
        "payment_method": ch["payment_method"],
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


def webhook_endpoint(oid: str, created: int, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_version": params.get("api_version"),
        "application": None,
        "created": created,
        "description": params.get("description"),
        "enabled_events": params["enabled_events"],
        "id": oid,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "object": "webhook_endpoint",
        "status": "enabled",
        "url": params["url"],
    }


def test_clock(oid: str, created: int, frozen_time: int, name: str | None) -> dict[str, Any]:
    return {
        "created": created,
        "deletes_after": created + 30 * 86400,
        "frozen_time": frozen_time,
        "id": oid,
        "livemode": False,
        "name": name,
        "object": "test_helpers.test_clock",
        "status": "ready",
        "status_details": {},
    }


def dispute(
    oid: str, created: int, ch: dict[str, Any], amount: int, reason: str, due_by: int
) -> dict[str, Any]:
    brand = ch["payment_method_details"]["card"]["brand"]
    return {
        "amount": amount,
        "balance_transactions": [],
        "charge": ch["id"],
        "created": created,
        "currency": ch["currency"],
        "evidence": {
            key: None
            for key in (
                "access_activity_log",
                "billing_address",
                "cancellation_policy",
                "cancellation_policy_disclosure",
                "cancellation_rebuttal",
                "customer_communication",
                "customer_email_address",
                "customer_name",
                "customer_purchase_ip",
                "customer_signature",
                "duplicate_charge_documentation",
                "duplicate_charge_explanation",
                "duplicate_charge_id",
                "product_description",
                "receipt",
                "refund_policy",
                "refund_policy_disclosure",
                "refund_refusal_explanation",
                "service_date",
                "service_documentation",
                "shipping_address",
                "shipping_carrier",
                "shipping_date",
                "shipping_documentation",
                "shipping_tracking_number",
                "uncategorized_file",
                "uncategorized_text",
            )
        }
        | {"enhanced_evidence": {}},
        "evidence_details": {
            "due_by": due_by,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "submission_method": "not_submitted",
            "enhanced_eligibility": {},
        },
        "id": oid,
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "object": "dispute",
        "payment_intent": ch["payment_intent"],
        "payment_method_details": {
            "card": {
                "brand": brand,
                "case_type": "chargeback",
                "network_reason_code": "10.4",
                "network": brand,
            },
            "type": "card",
        },
        "reason": reason,
        "status": "needs_response",
        "enhanced_eligibility_types": [],
    }
