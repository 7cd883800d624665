"""Payment intents: creation, confirmation with a test card's behaviour, declines and 3-D Secure."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._cards import ATTACH_THEN_FAIL, OK, THREE_DS_ALWAYS, THREE_DS_ONE_TIME
from .._core import Account, new_id, real_now, snapshot
from .._errors import AUTHENTICATION_FAILURE, DECLINE_MESSAGES, StripeApiError, invalid, missing_param
from .._values import get_bool, get_int, get_list, get_metadata, get_str, merge_metadata
from . import capture
from .base import Resource, check_minimum, read_currency


class PaymentIntents(Resource):
    """``/v1/payment_intents``, and the one charging path every payment (Checkout, invoices) goes through."""

    def _create_pi(
        self,
        acct: Account,
        amount: int,
        currency: str,
        params: dict[str, Any],
        capture_method: str | None = None,
    ) -> dict[str, Any]:
        pi = build.payment_intent(
            new_id("pi_"), self.now(acct, params.get("customer")), amount, currency, params
        )
        pi["capture_method"] = capture_method or capture.default_capture_method(self.state)
        acct.put(pi)
        self.emit(acct, "payment_intent.created", pi)
        return pi

    def payment_intents_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        amount = get_int(params, "amount", required=True, minimum=1)
        currency = read_currency(params)
        check_minimum(amount, currency)
        customer_id = get_str(params, "customer")
        if customer_id:
            self.get(acct, "customer", customer_id, "customer", "customer")
        for key in ("description", "receipt_email", "statement_descriptor_suffix"):
            get_str(params, key)
        get_str(params, "setup_future_usage", choices=("on_session", "off_session"))
        get_metadata(params)
        # API 2026-10-28 names the choice ``allowed_payment_method_types``; objects carry it beside the
        # resolved ``payment_method_types``.
        types = get_list(params, "allowed_payment_method_types")
        if types and any(t != "card" for t in types):
            raise invalid("This emulator takes card payments only.", param="allowed_payment_method_types")
        pm_id = get_str(params, "payment_method")
        pm = self._payment_method_for(acct, pm_id, "payment_method") if pm_id else None
        confirm = get_bool(params, "confirm", default=False)
        off_session = get_bool(params, "off_session", default=False)
        if off_session and not confirm:
            raise invalid("You may only specify `off_session` when `confirm` is true.", param="off_session")
        method = capture.capture_method(self.state, params)
        pi = self._create_pi(acct, amount, currency, params, method)
        if pm is not None:
            pi["payment_method"] = pm["id"]
            pi["status"] = "requires_confirmation"
        if confirm:
            if pm is None:
                raise missing_param("payment_method")
            self._confirm(
                acct,
                pi,
                pm,
                off_session=off_session,
                return_url=get_str(params, "return_url"),
                raise_on_decline=True,
            )
        return pi

    def payment_intents_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "payment_intent", id, "payment_intent")

    def payment_intents_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] in ("succeeded", "canceled", "processing"):
            raise invalid(
                f"This PaymentIntent's status is {pi['status']} and it cannot be updated.",
                code="payment_intent_unexpected_state",
            )
        previous: dict[str, Any] = {}
        if "amount" in params:
            previous["amount"] = pi["amount"]
            pi["amount"] = get_int(params, "amount", minimum=1)
            check_minimum(pi["amount"], pi["currency"])
        for key in ("description", "receipt_email"):
            if key in params:
                previous[key] = pi[key]
                pi[key] = get_str(params, key) or None
        metadata = get_metadata(params)
        if metadata is not None:
            previous["metadata"] = pi["metadata"]
            pi["metadata"] = merge_metadata(pi["metadata"], metadata)
        if "payment_method" in params:
            pm = self._payment_method_for(acct, get_str(params, "payment_method"), "payment_method")
            pi["payment_method"] = pm["id"]
            pi["status"] = "requires_confirmation"
        # Stripe sends no event for a PaymentIntent update.
        return pi

    def payment_intents_confirm(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            raise invalid(
                f"This PaymentIntent's payment_method could not be updated because it has a status of "
                f"{pi['status']}. You may only update the payment_method of a PaymentIntent with one of the "
                "following statuses: requires_payment_method, requires_confirmation, requires_action.",
                code="payment_intent_unexpected_state",
            )
        pm_id = get_str(params, "payment_method") or pi["payment_method"]
        if not pm_id:
            raise invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method. To "
                "confirm the PaymentIntent with cus, specify a payment method.",
                code="payment_intent_unexpected_state",
                param="payment_method",
            )
        pm = self._payment_method_for(acct, pm_id, "payment_method")
        self._confirm(
            acct,
            pi,
            pm,
            off_session=get_bool(params, "off_session", default=False),
            return_url=get_str(params, "return_url"),
            raise_on_decline=True,
        )
        return pi

    def payment_intents_cancel(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        pi = self.get(acct, "payment_intent", id, "payment_intent")
        if pi["status"] in ("succeeded", "canceled"):
            raise invalid(
                f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
                "PaymentIntent with one of the following statuses may be canceled: requires_payment_method, "
                "requires_capture, requires_confirmation, requires_action, processing.",
                code="payment_intent_unexpected_state",
            )
        pi["status"] = "canceled"
        pi["canceled_at"] = real_now()
        pi["cancellation_reason"] = get_str(params, "cancellation_reason") or "requested_by_customer"
        pi["next_action"] = None
        self.emit(acct, "payment_intent.canceled", pi)
        return pi

    def payment_intents_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(acct, "payment_intent", params, "/v1/payment_intents", customer="customer")

    def _confirm(
        self,
        acct: Account,
        pi: dict[str, Any],
        pm: dict[str, Any],
        *,
        off_session: bool = False,
        return_url: str | None = None,
        raise_on_decline: bool = False,
        authenticated: bool = False,
    ) -> str:
        """Try to charge ``pm`` for ``pi``; returns the resulting PaymentIntent status."""
        pi["payment_method"] = pm["id"]
        card = acct.priv(pm["id"]).get("card", {})
        behaviour = card.get("behaviour", OK)
        needs_auth = not authenticated and (
            behaviour == THREE_DS_ALWAYS
            or (
                behaviour == THREE_DS_ONE_TIME
                and not (off_session and acct.priv(pm["id"]).get("authenticated"))
            )
        )
        if needs_auth:
            if off_session:
                return self._fail(acct, pi, pm, "authentication_required", raise_on_decline)
            pi["status"] = "requires_action"
            url = f"{self.state.base_url}/authenticate/{pi['id']}"
            pi["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {"return_url": return_url, "url": url},
            }
            acct.priv(pi["id"])["return_url"] = return_url
            self.emit(acct, "payment_intent.requires_action", pi)
            return pi["status"]
        if behaviour.startswith("decline:"):
            return self._fail(acct, pi, pm, behaviour.split(":", 1)[1], raise_on_decline)
        if behaviour == ATTACH_THEN_FAIL:
            return self._fail(acct, pi, pm, "generic_decline", raise_on_decline)
        # Approved.
        now = self.now(acct, pi["customer"])
        charge_id = new_id("ch_")
        # With asynchronous capture (the default) the balance transaction comes later: see capture.py.
        balance = capture.new_charge_balance(self, acct, pi, charge_id, now)
        ch = build.charge(charge_id, now, pi, pm, card, None, balance)
        if authenticated:
            ch["payment_method_details"]["card"]["three_d_secure"] = {
                "authentication_flow": "challenge",
                "electronic_commerce_indicator": "05",
                "exemption_indicator": None,
                "result": "authenticated",
                "result_reason": None,
                "transaction_id": new_id("", 32),
                "version": "2.2.0",
            }
            acct.priv(pm["id"])["authenticated"] = True
        acct.put(ch)
        pi.update(
            status="succeeded",
            amount_received=pi["amount"],
            latest_charge=charge_id,
            last_payment_error=None,
            next_action=None,
        )
        if pi.get("setup_future_usage") and pi["customer"] and pm["customer"] is None:
            self._attach(acct, pm, pi["customer"])
        self.emit(acct, "charge.succeeded", ch)
        self.emit(acct, "payment_intent.succeeded", pi)
        return "succeeded"

    def _fail(
        self, acct: Account, pi: dict[str, Any], pm: dict[str, Any], reason: str, raise_it: bool
    ) -> str:
        now = self.now(acct, pi["customer"])
        card = acct.priv(pm["id"]).get("card", {})
        if reason == "authentication_required":
            code, decline_code, message = (
                "authentication_required",
                "authentication_required",
                ("Your card was declined. This transaction requires authentication."),
            )
            error_type = "card_error"
        elif reason == "authentication_failure":
            code, message = AUTHENTICATION_FAILURE
            decline_code = None
            error_type = "invalid_request_error"
        else:
            code, message = DECLINE_MESSAGES[reason]
            decline_code = reason
            error_type = "card_error"
        ch = None
        if reason != "authentication_failure":
            ch = build.charge(new_id("ch_"), now, pi, pm, card, (code, decline_code, message), None)
            acct.put(ch)
            pi["latest_charge"] = ch["id"]
        error = {
            "code": code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "message": message,
            "payment_method": snapshot(pm),
            "type": error_type,
        }
        if ch:
            error["charge"] = ch["id"]
        if decline_code:
            error["decline_code"] = decline_code
        pi.update(
            status="requires_payment_method", last_payment_error=error, payment_method=None, next_action=None
        )
        if ch:
            self.emit(acct, "charge.failed", ch)
        self.emit(acct, "payment_intent.payment_failed", pi)
        if raise_it:
            extra = {"payment_intent": snapshot(pi), "payment_method": snapshot(pm)}
            if ch:
                extra["charge"] = ch["id"]
            raise StripeApiError(
                402 if error_type == "card_error" else 400,
                message,
                type=error_type,
                code=code,
                decline_code=decline_code,
                extra=extra,
            )
        return "requires_payment_method"

    def authenticate(self, acct: Account, pi: dict[str, Any], complete: bool) -> str:
        """The outcome of the hosted 3-D Secure page for ``pi``."""
        if pi["status"] != "requires_action":
            return pi["status"]
        pm = acct.objects[pi["payment_method"]]
        if complete:
            return self._confirm(acct, pi, pm, authenticated=True)
        return self._fail(acct, pi, pm, "authentication_failure", False)
