"""Disputes: opened, updated and closed by the card network (here: only the control API changes them)."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id, real_now, snapshot
from .._errors import invalid
from .._values import get_int, get_str
from .base import Resource


class Disputes(Resource):
    """``/v1/disputes`` (read-only) and the network's steps the control API takes."""

    DISPUTE_REASONS = (
        "bank_cannot_process",
        "check_returned",
        "credit_not_processed",
        "customer_initiated",
        "debit_not_authorized",
        "duplicate",
        "fraudulent",
        "general",
        "incorrect_account_details",
        "insufficient_funds",
        "noncompliant",
        "product_not_received",
        "product_unacceptable",
        "subscription_canceled",
        "unrecognized",
    )
    DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")

    def dispute_open(self, acct: Account, ch: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        reason = get_str(params, "reason", choices=self.DISPUTE_REASONS) or "fraudulent"
        if ch["status"] != "succeeded":
            raise invalid(f"Charge {ch['id']} has not succeeded and cannot be disputed.", param="charge")
        if ch["disputed"]:
            raise invalid(f"Charge {ch['id']} is already disputed.", param="charge")
        amount = get_int(params, "amount", default=ch["amount_captured"] - ch["amount_refunded"], minimum=1)
        now = self.now(acct, ch["customer"])
        dp = build.dispute(new_id("dp_"), now, ch, amount, reason, now + 7 * 86400)
        acct.put(dp)
        ch["disputed"] = True
        self.emit(acct, "charge.dispute.created", dp)
        return dp

    def dispute_update(self, acct: Account, dp: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if dp["status"] in ("won", "lost"):
            raise invalid(f"Dispute {dp['id']} is closed.", param="dispute")
        status = get_str(params, "status", choices=self.DISPUTE_STATUSES) or "under_review"
        previous = {"status": dp["status"], "evidence_details": snapshot(dp["evidence_details"])}
        dp["status"] = status
        if status.endswith("under_review"):
            dp["evidence_details"].update(has_evidence=True, submission_count=1, submission_method="manual")
        self.emit(acct, "charge.dispute.updated", dp, previous)
        return dp

    def dispute_close(self, acct: Account, dp: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if dp["status"] in ("won", "lost"):
            raise invalid(f"Dispute {dp['id']} is already closed.", param="dispute")
        outcome = get_str(params, "status", required=True, choices=("won", "lost"))
        previous = {"status": dp["status"]}
        dp["status"] = outcome
        if outcome == "lost":
            # The disputed amount leaves the balance for good, as a negative balance transaction.
            txn = build.balance_transaction(
                new_id("txn_"),
                real_now(),
                -dp["amount"],
                1500,
                dp["currency"],
                dp["id"],
                "adjustment",
                "Chargeback withdrawal",
            )
            acct.put(txn)
            dp["balance_transactions"].append(snapshot(txn))
        self.emit(acct, "charge.dispute.closed", dp, previous)
        return dp

    def disputes_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "dispute", id, "dispute")

    def disputes_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(
            acct, "dispute", params, "/v1/disputes", charge="charge", payment_intent="payment_intent"
        )
