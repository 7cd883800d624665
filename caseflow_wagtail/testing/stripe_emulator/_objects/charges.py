"""Charges, their fees and balance transactions, refunds and disputes."""

from __future__ import annotations

from typing import Any


def fee_for(amount: int) -> int:
    """Stripe's US card pricing, 2.9% + 30 minor units, rounded half up."""
    return (amount * 29 + 500) // 1000 + 30


def charge(
    oid: str,
    created: int,
    pi: dict[str, Any],
    pm: dict[str, Any],
    card: dict[str, Any],
    failure: tuple[str, str | None, str] | None,
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
