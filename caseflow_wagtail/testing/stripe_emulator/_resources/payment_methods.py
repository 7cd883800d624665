"""Payment methods: cards from test numbers, tokens and ``pm_card_*`` ids; attaching."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import _objects as build
from .._cards import OK, PM_TOKENS, TOKENS, card_error, read_card
from .._core import Account, new_id, real_now
from .._errors import invalid, not_found
from .._values import get_dict, get_metadata, get_str, merge_metadata
from .base import Resource


class PaymentMethods(Resource):
    """Card payment methods and their attachment to customers."""

    def _new_card_pm(
        self, acct: Account, card_params: dict[str, Any], params: dict[str, Any], prefix: str = "card"
    ) -> dict[str, Any]:
        token = card_params.get("token")
        if token:
            number = TOKENS.get(token)
            if number is None:
                raise not_found("token", token, f"{prefix}[token]")
            card_params = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        today = dt.datetime.now(dt.UTC)
        card = read_card(
            card_params.get("number"),
            card_params.get("exp_month"),
            card_params.get("exp_year"),
            card_params.get("cvc"),
            today.year,
            today.month,
            prefix,
        )
        pm = build.payment_method(new_id("pm_"), real_now(), card, params)
        return acct.put(pm, card=card)

    def _payment_method_for(self, acct: Account, pm_id: Any, param: str) -> dict[str, Any]:
        """Resolve a PaymentMethod id; Stripe's ``pm_card_*`` test ids yield a fresh card each time."""
        if isinstance(pm_id, str) and pm_id in PM_TOKENS:
            return self._new_card_pm(
                acct, {"number": PM_TOKENS[pm_id], "exp_month": "12", "exp_year": "2034", "cvc": "123"}, {}
            )
        return self.get(acct, "payment_method", pm_id, "PaymentMethod", param)

    def payment_methods_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        kind = get_str(params, "type", required=True)
        if kind != "card":
            raise invalid(
                f"The payment method type {kind!r} is not supported by this emulator; use card.", param="type"
            )
        card = get_dict(params, "card", required=True)
        get_metadata(params)
        return self._new_card_pm(acct, card, params)

    def payment_methods_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self._payment_method_for(acct, id, "payment_method")

    def payment_methods_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pm = self.get(acct, "payment_method", id, "PaymentMethod")
        previous: dict[str, Any] = {}
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = pm["metadata"]
            pm["metadata"] = merge_metadata(pm["metadata"], metadata)
        details = get_dict(params, "billing_details")
        if details:
            previous["billing_details"] = pm["billing_details"]
            pm["billing_details"] = build.billing_details({**pm["billing_details"], **details})
        self.emit(acct, "payment_method.updated", pm, previous)
        return pm

    def _attach(self, acct: Account, pm: dict[str, Any], customer_id: str) -> dict[str, Any]:
        if pm["customer"] == customer_id:
            return pm
        if pm["customer"]:
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
        behaviour = acct.priv(pm["id"]).get("card", {}).get("behaviour", OK)
        if behaviour.startswith("decline:"):
            # Stripe verifies a card when saving it: a declining card cannot be attached.
            raise card_error(behaviour.split(":", 1)[1])
        pm["customer"] = customer_id
        acct.priv(customer_id)["last_attached"] = pm["id"]
        self.emit(acct, "payment_method.attached", pm)
        return pm

    def payment_methods_attach(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        customer_id = get_str(params, "customer", required=True)
        self.get(acct, "customer", customer_id, "customer", "customer")
        pm = self._attach(acct, self._payment_method_for(acct, id, "payment_method"), customer_id)
        return pm

    def payment_methods_detach(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pm = self.get(acct, "payment_method", id, "PaymentMethod")
        if not pm["customer"]:
            raise invalid(
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                param="payment_method",
            )
        cus = acct.find("customer", pm["customer"])
        previous = {"customer": pm["customer"]}
        pm["customer"] = None
        if cus and cus["invoice_settings"]["default_payment_method"] == id:
            cus["invoice_settings"]["default_payment_method"] = None
        self.emit(acct, "payment_method.detached", pm, previous)
        return pm

    def payment_methods_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = get_str(params, "customer")
        items = [
            pm for pm in acct.all("payment_method") if customer_id is None or pm["customer"] == customer_id
        ]
        return self.paginate(items, params, "/v1/payment_methods")
