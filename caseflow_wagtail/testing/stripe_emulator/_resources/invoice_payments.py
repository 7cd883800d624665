"""Collecting invoices: payment attempts, Stripe's retry schedule, invoice payments, paying and voiding."""

from __future__ import annotations

from typing import Any

from .._core import Account, new_id, real_now
from .._errors import StripeApiError, invalid
from .._values import get_bool, get_dict, get_str
from .base import Resource

RETRY_DAYS = (3, 5, 7)


def open_payment_intent(acct: Account, invoice: dict[str, Any]) -> dict[str, Any] | None:
    """The PaymentIntent of the invoice's latest attempt, if any."""
    pi_id = acct.priv(invoice["id"]).get("payment_intent")
    return acct.find("payment_intent", pi_id) if pi_id else None


class InvoicePayments(Resource):
    """``POST /v1/invoices/{id}/pay``, ``/v1/invoice_payments`` and each attempt to collect an invoice."""

    def _collect(
        self,
        acct: Account,
        invoice: dict[str, Any],
        sub: dict[str, Any] | None,
        *,
        off_session: bool,
        pm_id: str | None = None,
        authenticated: bool = False,
    ) -> str:
        """One payment attempt on an open invoice; returns the invoice status."""
        cus = acct.objects[invoice["customer"]]
        now = self.now(acct, cus["id"])
        if invoice["amount_due"] == 0:
            self._mark_paid(acct, invoice, now)
            return "paid"
        pm_id = (
            pm_id
            or (sub or {}).get("default_payment_method")
            or cus["invoice_settings"]["default_payment_method"]
        )
        invoice["attempted"] = True
        invoice["attempt_count"] += 1
        if not pm_id:
            invoice["next_payment_attempt"] = self._next_retry(invoice, now) if off_session else None
            self.emit(acct, "invoice.payment_failed", invoice)
            return invoice["status"]
        pm = acct.objects[pm_id]
        pi = self._create_pi(
            acct,
            invoice["amount_due"],
            invoice["currency"],
            {
                "customer": cus["id"],
                "description": "Subscription creation"
                if invoice["billing_reason"] == "subscription_create"
                else "Subscription update",
            },
        )
        acct.priv(invoice["id"])["payment_intent"] = pi["id"]
        payment = {
            "amount_paid": None,
            "amount_requested": invoice["amount_due"],
            "created": now,
            "currency": invoice["currency"],
            "id": new_id("inpay_"),
            "invoice": invoice["id"],
            "is_default": True,
            "livemode": False,
            "object": "invoice_payment",
            "payment": {"type": "payment_intent", "payment_intent": pi["id"]},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        }
        for older in acct.all("invoice_payment"):
            if older["invoice"] == invoice["id"]:
                older["is_default"] = False
        acct.put(payment)
        status = self._confirm(acct, pi, pm, off_session=off_session, authenticated=authenticated)
        if status == "succeeded":
            payment.update(status="paid", amount_paid=invoice["amount_due"])
            payment["status_transitions"]["paid_at"] = now
            self.emit(acct, "invoice_payment.paid", payment)
            self._mark_paid(acct, invoice, now)
            return "paid"
        if status == "requires_action":
            invoice["next_payment_attempt"] = None
            self.emit(acct, "invoice.payment_action_required", invoice)
        else:
            payment.update(status="canceled")
            payment["status_transitions"]["canceled_at"] = now
            invoice["next_payment_attempt"] = self._next_retry(invoice, now) if off_session else None
            self.emit(acct, "invoice.payment_failed", invoice)
        return invoice["status"]

    @staticmethod
    def _next_retry(invoice: dict[str, Any], now: int) -> int | None:
        """When a failed renewal is tried again: Stripe's classic schedule, 3, 5 and 7 days apart."""
        attempt = invoice["attempt_count"]
        return now + RETRY_DAYS[attempt - 1] * 86400 if attempt <= len(RETRY_DAYS) else None

    def _mark_paid(self, acct: Account, invoice: dict[str, Any], now: int) -> None:
        invoice.update(
            status="paid", amount_paid=invoice["amount_due"], amount_remaining=0, next_payment_attempt=None
        )
        invoice["status_transitions"]["paid_at"] = now
        self.emit(acct, "invoice.paid", invoice)
        self.emit(acct, "invoice.payment_succeeded", invoice)

    def _void_invoice(self, acct: Account, invoice: dict[str, Any]) -> None:
        invoice.update(status="void", amount_remaining=0, next_payment_attempt=None)
        invoice["status_transitions"]["voided_at"] = real_now()
        self.emit(acct, "invoice.voided", invoice)

    def invoices_pay(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        invoice = self.get(acct, "invoice", id, "invoice")
        if invoice["status"] != "open":
            raise invalid(
                "Invoice is already paid"
                if invoice["status"] == "paid"
                else f"You can only pay an open invoice; this one is {invoice['status']}.",
                code="invoice_not_open",
            )
        pm_id = get_str(params, "payment_method")
        if pm_id:
            pm = self._payment_method_for(acct, pm_id, "payment_method")
            if pm["customer"] is None:
                self._attach(acct, pm, invoice["customer"])
            pm_id = pm["id"]
        sub = acct.find("subscription", invoice["parent"]["subscription_details"]["subscription"])
        status = self._collect(
            acct, invoice, sub, off_session=get_bool(params, "off_session", default=True), pm_id=pm_id
        )
        if sub and status == "paid" and sub["status"] in ("past_due", "incomplete", "unpaid"):
            self._set_status(acct, sub, "active")
        if status != "paid":
            pi = (
                acct.objects[acct.priv(invoice["id"])["payment_intent"]]
                if acct.priv(invoice["id"]).get("payment_intent")
                else None
            )
            error = (pi or {}).get("last_payment_error") or {}
            raise StripeApiError(
                402,
                error.get("message", "Your card was declined."),
                type="card_error",
                code=error.get("code", "card_declined"),
                decline_code=error.get("decline_code"),
            )
        return invoice

    def invoice_payments_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("invoice_payment")
        invoice_id = get_str(params, "invoice")
        if invoice_id:
            items = [p for p in items if p["invoice"] == invoice_id]
        payment = get_dict(params, "payment") or {}
        if payment.get("payment_intent"):
            items = [p for p in items if p["payment"].get("payment_intent") == payment["payment_intent"]]
        return self.paginate(items, params, "/v1/invoice_payments")

    def invoice_payments_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "invoice_payment", id, "invoice_payment")

    # The hosted invoice page's 3-D Secure step (_hosted/invoice.py).
    def authenticate_invoice(self, acct: Account, invoice: dict[str, Any], complete: bool) -> str:
        """The 3-D Secure outcome for the invoice's open PaymentIntent; pays the invoice when it succeeds."""
        pi = open_payment_intent(acct, invoice)
        if invoice["status"] != "open" or pi is None:
            return invoice["status"]
        status = self.authenticate(acct, pi, complete)
        if status != "succeeded":
            return invoice["status"]
        now = self.now(acct, invoice["customer"])
        for payment in acct.all("invoice_payment"):
            if payment["invoice"] == invoice["id"] and payment["payment"].get("payment_intent") == pi["id"]:
                payment.update(status="paid", amount_paid=invoice["amount_due"])
                payment["status_transitions"]["paid_at"] = now
                self.emit(acct, "invoice_payment.paid", payment)
        self._mark_paid(acct, invoice, now)
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        sub = acct.find("subscription", details.get("subscription"))
        if sub and sub["status"] in ("past_due", "incomplete", "unpaid"):
            self._set_status(acct, sub, "active")
        return "paid"
