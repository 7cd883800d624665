"""Completing a Checkout session from the hosted page: a payment, a subscription or a saved card."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._cards import ATTACH_THEN_FAIL, THREE_DS_ALWAYS, THREE_DS_ONE_TIME
from .._core import Account, new_id, real_now
from .._errors import AUTHENTICATION_FAILURE, DECLINE_MESSAGES, StripeApiError
from .base import Resource


class CheckoutCompletion(Resource):
    """The hosted Checkout page's submit and 3-D Secure step, and what a completed session creates."""

    def checkout_pay(self, acct: Account, session: dict[str, Any], form: dict[str, str]) -> tuple[str, str]:
        """The hosted page's submit.

        Returns ("redirect", url), ("error", message) or ("authenticate", url).
        """
        self._refresh_session(acct, session)
        if session["status"] != "open":
            return "error", "This Checkout Session is no longer available."
        try:
            pm = self._new_card_pm(
                acct,
                {
                    "number": form.get("cardnumber", ""),
                    "exp_month": form.get("exp_month"),
                    "exp_year": form.get("exp_year"),
                    "cvc": form.get("cvc", ""),
                },
                {"billing_details": {"email": form.get("email") or None, "name": form.get("name") or None}},
            )
        except StripeApiError as exc:
            return "error", exc.message
        behaviour = acct.priv(pm["id"])["card"]["behaviour"]
        acct.priv(session["id"]).update(
            pending_pm=pm["id"], email=form.get("email") or None, name=form.get("name") or None
        )
        if session["mode"] != "payment" and behaviour in (THREE_DS_ALWAYS, THREE_DS_ONE_TIME):
            return "authenticate", f"{self.state.base_url}/checkout/{session['id']}/authenticate"
        return self._complete_checkout(acct, session, pm)

    def checkout_authenticate(
        self, acct: Account, session: dict[str, Any], complete: bool
    ) -> tuple[str, str]:
        self._refresh_session(acct, session)
        if session["status"] != "open":
            return "error", "This Checkout Session is no longer available."
        pm = acct.objects.get(acct.priv(session["id"]).get("pending_pm", ""))
        if pm is None:
            return "error", "Enter your card details."
        if session["mode"] == "payment":
            pi = acct.objects[session["payment_intent"]]
            self.authenticate(acct, pi, complete)
            if pi["status"] == "succeeded":
                return self._finish_checkout(acct, session)
            return "error", AUTHENTICATION_FAILURE[1]
        if not complete:
            return "error", AUTHENTICATION_FAILURE[1]
        acct.priv(pm["id"])["authenticated"] = True
        return self._complete_checkout(acct, session, pm, authenticated=True)

    def _checkout_customer(self, acct: Account, session: dict[str, Any]) -> str:
        if session["customer"]:
            return session["customer"]
        private = acct.priv(session["id"])
        cus = self.customers_create(
            acct, {"email": session["customer_email"] or private.get("email"), "name": private.get("name")}
        )
        session["customer"] = cus["id"]
        return cus["id"]

    def _complete_checkout(
        self, acct: Account, session: dict[str, Any], pm: dict[str, Any], authenticated: bool = False
    ) -> tuple[str, str]:
        mode = session["mode"]
        behaviour = acct.priv(pm["id"])["card"]["behaviour"]
        if mode == "payment":
            pi = acct.find("payment_intent", session["payment_intent"])
            if pi is None:
                pi_data = acct.priv(session["id"])["pi_data"]
                if session["customer_creation"] == "always" or pi_data.get("setup_future_usage"):
                    self._checkout_customer(acct, session)
                pi = self._create_pi(
                    acct,
                    session["amount_total"],
                    session["currency"],
                    {
                        "customer": session["customer"],
                        "description": pi_data.get("description"),
                        "metadata": pi_data.get("metadata") or {},
                        "receipt_email": pi_data.get("receipt_email"),
                        "setup_future_usage": pi_data.get("setup_future_usage"),
                        "statement_descriptor_suffix": pi_data.get("statement_descriptor_suffix"),
                        "payment_method_types": session["payment_method_types"],
                    },
                    pi_data.get("capture_method"),
                )
                session["payment_intent"] = pi["id"]
            status = self._confirm(acct, pi, pm)
            if status == "requires_action":
                return "authenticate", f"{self.state.base_url}/checkout/{session['id']}/authenticate"
            if status != "succeeded":
                return "error", pi["last_payment_error"]["message"]
            return self._finish_checkout(acct, session)
        if behaviour.startswith("decline:"):
            return "error", DECLINE_MESSAGES[behaviour.split(":", 1)[1]][1]
        trial_days = acct.priv(session["id"])["sub_data"].get("trial_period_days")
        if mode == "subscription" and behaviour == ATTACH_THEN_FAIL and not trial_days:
            # Checkout only creates the subscription once the first payment goes through.
            return "error", DECLINE_MESSAGES["generic_decline"][1]
        customer_id = self._checkout_customer(acct, session)
        self._attach(acct, pm, customer_id)
        if mode == "setup":
            si = build.setup_intent(new_id("seti_"), real_now(), customer_id, pm["id"], "succeeded")
            acct.put(si)
            self.emit(acct, "setup_intent.created", si)
            self.emit(acct, "setup_intent.succeeded", si)
            session["setup_intent"] = si["id"]
            return self._finish_checkout(acct, session)
        items = [
            {"price": i["price"]["id"], "quantity": str(i["quantity"])}
            for i in acct.priv(session["id"])["line_items"]
        ]
        sub_data = acct.priv(session["id"])["sub_data"]
        sub = self._create_subscription(
            acct,
            customer_id,
            items,
            {
                "metadata": sub_data.get("metadata") or {},
                "description": sub_data.get("description"),
                "trial_period_days": int(trial_days) if trial_days else None,
            },
            default_pm=pm["id"],
            behaviour="allow_incomplete",
            authenticated=authenticated,
        )
        session["subscription"] = sub["id"]
        session["invoice"] = sub["latest_invoice"]
        if sub["status"] not in ("active", "trialing"):
            # Checkout does not leave a half-made subscription behind when the first payment fails.
            invoice = acct.objects[sub["latest_invoice"]]
            self._cancel_subscription(acct, sub, reason="payment_failed")
            self._void_invoice(acct, invoice)
            session["subscription"] = None
            session["invoice"] = None
            return "error", DECLINE_MESSAGES["generic_decline"][1]
        return self._finish_checkout(acct, session)

    def _finish_checkout(self, acct: Account, session: dict[str, Any]) -> tuple[str, str]:
        private = acct.priv(session["id"])
        session["status"] = "complete"
        if session["mode"] != "setup":
            session["payment_status"] = "paid" if session["amount_total"] else "no_payment_required"
        cus = acct.find("customer", session["customer"])
        session["customer_details"] = {
            "address": build.empty_address(),
            "email": session["customer_email"] or private.get("email") or (cus or {}).get("email"),
            "name": private.get("name") or (cus or {}).get("name"),
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
            "business_name": None,
            "individual_name": None,
        }
        session["url"] = None
        self.emit(acct, "checkout.session.completed", session)
        return "redirect", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
