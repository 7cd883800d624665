"""Checkout sessions: creation with their line items, retrieval, listing and expiry."""

from __future__ import annotations

import re
from typing import Any

from .. import _objects as build
from .._core import Account, new_id, real_now, snapshot
from .._errors import invalid
from .._values import get_dict, get_int, get_list, get_metadata, get_str
from . import capture
from .base import Resource, check_minimum, read_currency

CHECKOUT_DEFAULT_TTL = 24 * 3600


class CheckoutSessions(Resource):
    """``/v1/checkout/sessions``; what the hosted page does with a session is in ``checkout_completion``."""

    def _line_items(self, acct: Account, params: dict[str, Any], mode: str) -> list[dict[str, Any]]:
        raw = get_list(params, "line_items")
        if not raw:
            if mode == "setup":
                return []
            raise invalid(
                f"`line_items` is required in `{mode}` mode.", param="line_items", code="parameter_missing"
            )
        items = []
        for i, line in enumerate(raw):
            name = f"line_items[{i}]"
            if not isinstance(line, dict):
                raise invalid("Invalid object", param=name)
            quantity = get_int(line, "quantity", required=True, minimum=1, name=f"{name}[quantity]")
            price_id = get_str(line, "price", name=f"{name}[price]")
            if price_id:
                p = self.get(acct, "price", price_id, "price", f"{name}[price]")
                if not p["active"]:
                    raise invalid(f"The price `{price_id}` is not active.", param=f"{name}[price]")
            else:
                data = get_dict(line, "price_data", required=True, name=f"{name}[price_data]")
                if data.get("product_data") and not isinstance(data["product_data"], dict):
                    raise invalid("Invalid object", param=f"{name}[price_data][product_data]")
                p = self._price_from(acct, data, f"{name}[price_data]")
                acct.priv(p["id"])["inline"] = True
            if mode == "payment" and p["recurring"]:
                raise invalid(
                    "You must specify `mode=subscription` to use recurring prices.", param=f"{name}[price]"
                )
            if mode == "subscription" and not p["recurring"]:
                raise invalid(
                    "One-off line items in subscription mode are not supported by the Stripe emulator.",
                    param=f"{name}[price]",
                )
            prod = acct.objects[p["product"]]
            items.append(build.checkout_line_item(new_id("li_"), snapshot(p), quantity, prod["name"]))
        currencies = {i["currency"] for i in items}
        if len(currencies) > 1:
            raise invalid("All line items must use the same currency.", param="line_items")
        if mode == "subscription" and not any(i["price"]["recurring"] for i in items):
            raise invalid(
                "You must provide at least one recurring price in `subscription` mode when using prices.",
                param="line_items",
            )
        return items

    def checkout_sessions_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        mode = get_str(params, "mode", required=True, choices=("payment", "subscription", "setup"))
        success_url = get_str(params, "success_url", required=True)
        cancel_url = get_str(params, "cancel_url")
        for key, url in (("success_url", success_url), ("cancel_url", cancel_url)):
            if url is not None and not re.match(r"https?://", url):
                raise invalid("Not a valid URL", param=key, code="url_invalid")
        customer_id = get_str(params, "customer")
        if customer_id:
            self.get(acct, "customer", customer_id, "customer", "customer")
        customer_email = get_str(params, "customer_email")
        if customer_id and customer_email:
            raise invalid(
                "You may only specify one of these parameters: customer, customer_email.",
                param="customer_email",
            )
        reference = get_str(params, "client_reference_id")
        if reference is not None and len(reference) > 200:
            raise invalid("client_reference_id must be at most 200 characters.", param="client_reference_id")
        metadata = get_metadata(params) or {}
        # API 2026-10-28 names the choice ``allowed_payment_method_types``; objects carry it beside the
        # resolved ``payment_method_types``.
        types = get_list(params, "allowed_payment_method_types")
        if types and any(t != "card" for t in types):
            raise invalid("This emulator takes card payments only.", param="allowed_payment_method_types")
        pi_data = get_dict(params, "payment_intent_data") or {}
        if pi_data and mode != "payment":
            raise invalid(
                "You can only specify `payment_intent_data` in `payment` mode.", param="payment_intent_data"
            )
        get_metadata(pi_data, "metadata") if pi_data else None
        if pi_data:
            capture.capture_method(self.state, pi_data, "payment_intent_data[capture_method]")
        sub_data = get_dict(params, "subscription_data") or {}
        if sub_data and mode != "subscription":
            raise invalid(
                "You can only specify `subscription_data` in `subscription` mode.", param="subscription_data"
            )
        get_metadata(sub_data, "metadata") if sub_data else None
        trial_days = get_int(
            sub_data, "trial_period_days", minimum=1, maximum=730, name="subscription_data[trial_period_days]"
        )
        creation = get_str(params, "customer_creation", choices=("always", "if_required"))
        if creation and mode != "payment":
            raise invalid(
                "`customer_creation` can only be used in `payment` mode.", param="customer_creation"
            )
        now = real_now()
        expires_at = get_int(params, "expires_at", default=now + CHECKOUT_DEFAULT_TTL)
        if not now + 1800 <= expires_at <= now + CHECKOUT_DEFAULT_TTL:
            raise invalid(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout "
                "Session creation.",
                param="expires_at",
            )
        items = self._line_items(acct, params, mode)
        currency = items[0]["currency"] if items else read_currency(params, required=False)
        total = sum(i["amount_total"] for i in items) if items else None
        if trial_days:
            total = 0  # nothing is charged until the trial ends
        if mode == "payment" and total is not None:  # always so: payment mode requires line items
            check_minimum(total, currency, "line_items")
        sid = new_id("cs_test_", 58)
        session = {
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
            "billing_address_collection": get_str(params, "billing_address_collection"),
            "cancel_url": cancel_url,
            "client_reference_id": reference,
            "client_secret": None,
            "consent": None,
            "consent_collection": None,
            "created": now,
            "currency": currency,
            "custom_fields": [],
            "custom_text": {
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            "customer": customer_id,
            "customer_creation": (creation or "if_required") if mode == "payment" else None,
            "customer_details": None,
            "customer_email": customer_email,
            "expires_at": expires_at,
            "id": sid,
            "invoice": None,
            "invoice_creation": (
                {
                    "enabled": False,
                    "invoice_data": {
                        "account_tax_ids": None,
                        "custom_fields": None,
                        "description": None,
                        "footer": None,
                        "issuer": None,
                        "metadata": {},
                        "rendering_options": None,
                    },
                }
                if mode == "payment"
                else None
            ),
            "livemode": False,
            "locale": get_str(params, "locale"),
            "metadata": metadata,
            "mode": mode,
            "object": "checkout.session",
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "always" if mode == "subscription" else None,
            "payment_method_configuration_details": None,
            "payment_method_options": {},
            "allowed_payment_method_types": types or None,
            "payment_method_types": types or ["card"],
            "payment_status": "no_payment_required" if mode == "setup" else "unpaid",
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "saved_payment_method_options": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": get_str(params, "submit_type"),
            "subscription": None,
            "success_url": success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0} if items else None,
            "ui_mode": "hosted_page",
            "url": f"{self.state.base_url}/checkout/{sid}",
            "adaptive_pricing": {"enabled": False},
            "discounts": [],
            "collected_information": None,
            "permissions": None,
            "wallet_options": None,
            "origin_context": None,
            "currency_conversion": None,
            "customer_account": None,
            "integration_identifier": None,
            "managed_payments": None,
        }
        acct.put(session, line_items=items, pi_data=pi_data, sub_data=sub_data)
        self.state.register_page(sid, acct)
        return session

    def _refresh_session(self, acct: Account, session: dict[str, Any]) -> dict[str, Any]:
        if session["status"] == "open" and real_now() >= session["expires_at"]:
            self._expire_session(acct, session)
        return session

    def _expire_session(self, acct: Account, session: dict[str, Any]) -> None:
        session["status"] = "expired"
        session["url"] = None
        pi = acct.find("payment_intent", session["payment_intent"])
        if pi and pi["status"] not in ("succeeded", "canceled"):
            pi.update(status="canceled", canceled_at=real_now(), cancellation_reason="abandoned")
            self.emit(acct, "payment_intent.canceled", pi)
        self.emit(acct, "checkout.session.expired", session)

    def checkout_sessions_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._refresh_session(acct, self.get(acct, "checkout.session", id, "checkout.session"))

    def checkout_sessions_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        for s in acct.all("checkout.session"):
            self._refresh_session(acct, s)
        return self.list_filtered(
            acct,
            "checkout.session",
            params,
            "/v1/checkout/sessions",
            customer="customer",
            payment_intent="payment_intent",
            subscription="parent.subscription_details.subscription",
            status="status",
        )

    def checkout_sessions_expire(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        session = self._refresh_session(acct, self.get(acct, "checkout.session", id, "checkout.session"))
        if session["status"] != "open":
            raise invalid(
                f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
                f'Session has a status of "{session["status"]}".',
            )
        self._expire_session(acct, session)
        return session

    def checkout_session_line_items(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        self.get(acct, "checkout.session", id, "checkout.session")
        items = acct.priv(id)["line_items"]
        return self.paginate(items, params, f"/v1/checkout/sessions/{id}/line_items")
