"""Charges, their balance transactions and refunds (read-only charges: payments make them)."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id
from .._errors import invalid
from .._values import get_int, get_metadata, get_str, merge_metadata
from .base import Resource


class Charges(Resource):
    """``/v1/charges``, ``/v1/balance_transactions`` and ``/v1/refunds``."""

    def charges_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "charge", id, "charge")

    def charges_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "charge", params, "/v1/charges", customer="customer", payment_intent="payment_intent"
        )

    def balance_transactions_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "balance_transaction", id, "balance transaction")

    def balance_transactions_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct,
            "balance_transaction",
            params,
            "/v1/balance_transactions",
            source="source",
            type="type",
            currency="currency",
        )

    def refunds_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        get_str(params, "reason", choices=("duplicate", "fraudulent", "requested_by_customer"))
        get_metadata(params)
        charge_id = get_str(params, "charge")
        pi_id = get_str(params, "payment_intent")
        if charge_id:
            ch = self.get(acct, "charge", charge_id, "charge", "charge")
        elif pi_id:
            pi = self.get(acct, "payment_intent", pi_id, "payment_intent", "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise invalid(
                    f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                    param="payment_intent",
                    code="charge_not_refundable",
                )
            ch = acct.objects[pi["latest_charge"]]
        else:
            raise invalid(
                "One of the following params should be provided for this request: payment_intent or charge."
            )
        remaining = ch["amount_captured"] - ch["amount_refunded"]
        if ch["status"] != "succeeded":
            raise invalid(
                f"Charge {ch['id']} has not succeeded and cannot be refunded.",
                param="charge",
                code="charge_not_refundable",
            )
        if remaining <= 0:
            raise invalid(f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded")
        amount = get_int(params, "amount", default=remaining, minimum=1)
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                param="amount",
            )
        return self._refund(acct, ch, amount, params)

    def _refund(
        self, acct: Account, ch: dict[str, Any], amount: int, params: dict[str, Any]
    ) -> dict[str, Any]:
        now = self.now(acct, ch["customer"])
        refund_id = new_id("re_")
        txn = build.balance_transaction(
            new_id("txn_"), now, -amount, 0, ch["currency"], refund_id, "refund", "REFUND FOR CHARGE"
        )
        acct.put(txn)
        re_ = build.refund(refund_id, now, ch, amount, txn["id"], params)
        acct.put(re_)
        previous = {"amount_refunded": ch["amount_refunded"], "refunded": ch["refunded"]}
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
        self.emit(acct, "refund.created", re_)
        self.emit(acct, "charge.refunded", ch, previous)
        return re_

    def refunds_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "refund", id, "refund")

    def refunds_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        re_ = self.get(acct, "refund", id, "refund")
        metadata = get_metadata(params)
        if metadata is not None:
            previous = {"metadata": re_["metadata"]}
            re_["metadata"] = merge_metadata(re_["metadata"], metadata)
            self.emit(acct, "refund.updated", re_, previous)
        return re_

    def refunds_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "refund", params, "/v1/refunds", charge="charge", payment_intent="payment_intent"
        )
