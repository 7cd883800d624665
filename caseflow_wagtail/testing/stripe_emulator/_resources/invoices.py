"""Invoices: a subscription's invoice for each cycle, finalised at once; reading them."""

from __future__ import annotations

from typing import Any

from .._core import ZERO_DECIMAL, Account, new_id
from .base import Resource

# The hosted invoice page's address (its page is in _hosted/invoice.py).
HOSTED_INVOICE_PREFIX = "/invoice/"


def hosted_invoice_url(base_url: str, invoice_id: str) -> str:
    return f"{base_url}{HOSTED_INVOICE_PREFIX}{invoice_id}"


class Invoices(Resource):
    """``/v1/invoices`` (read and list) and the invoice each billing cycle creates."""

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
        invoice["hosted_invoice_url"] = hosted_invoice_url(self.state.base_url, inv_id)
        self.emit(acct, "invoice.finalized", invoice)
        if reason != "subscription_create":
            self.emit(acct, "customer.subscription.updated", sub, previous)
        return invoice

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
