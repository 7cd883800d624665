"""Customer portal sessions and what the hosted portal page changes (the default card)."""

from __future__ import annotations

from typing import Any

from .._core import Account, new_id, real_now
from .._errors import StripeApiError, invalid, missing_param
from .._values import get_dict, get_str
from . import portal_configurations as portal
from .base import Resource


class BillingPortal(Resource):
    """``/v1/billing_portal/sessions`` and the portal page's card update."""

    def portal_sessions_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = get_str(params, "customer", required=True)
        self.get(acct, "customer", customer_id, "customer", "customer")
        # Refused, as by Stripe, unless a configuration is given or the account's default one was saved.
        configuration = portal.for_session(acct, params)
        return_url = get_str(params, "return_url")
        flow_data = get_dict(params, "flow_data")
        flow = None
        if flow_data:
            kind = get_str(
                flow_data,
                "type",
                required=True,
                name="flow_data[type]",
                choices=(
                    "payment_method_update",
                    "subscription_cancel",
                    "subscription_update",
                    "subscription_update_confirm",
                ),
            )
            if kind != "payment_method_update":
                raise invalid(
                    f"The portal flow {kind!r} is not supported by this emulator.", param="flow_data[type]"
                )
            portal.check_flow(configuration, kind)
            after = get_dict(flow_data, "after_completion", name="flow_data[after_completion]") or {}
            after_type = get_str(
                after,
                "type",
                default="portal_homepage",
                choices=("hosted_confirmation", "portal_homepage", "redirect"),
                name="flow_data[after_completion][type]",
            )
            redirect = get_dict(after, "redirect") or {}
            if after_type == "redirect" and not redirect.get("return_url"):
                raise missing_param("flow_data[after_completion][redirect][return_url]")
            flow = {
                "after_completion": {
                    "hosted_confirmation": {"custom_message": None}
                    if after_type == "hosted_confirmation"
                    else None,
                    "redirect": {"return_url": redirect["return_url"]} if after_type == "redirect" else None,
                    "type": after_type,
                },
                "subscription_cancel": None,
                "subscription_update": None,
                "subscription_update_confirm": None,
                "type": kind,
            }
        sid = new_id("bps_")
        session = {
            "configuration": configuration["id"],
            "created": real_now(),
            "customer": customer_id,
            "flow": flow,
            "id": sid,
            "livemode": False,
            "locale": get_str(params, "locale"),
            "object": "billing_portal.session",
            "on_behalf_of": None,
            "return_url": return_url,
            "url": f"{self.state.base_url}/billing_portal/{sid}",
            "customer_account": None,
        }
        acct.put(session)
        self.state.register_page(sid, acct)
        return session

    def portal_update_card(
        self, acct: Account, session: dict[str, Any], form: dict[str, str]
    ) -> tuple[str, str]:
        try:
            pm = self._new_card_pm(
                acct,
                {
                    "number": form.get("cardnumber", ""),
                    "exp_month": form.get("exp_month"),
                    "exp_year": form.get("exp_year"),
                    "cvc": form.get("cvc", ""),
                },
                {"billing_details": {"name": form.get("name") or None}},
            )
            self._attach(acct, pm, session["customer"])
        except StripeApiError as exc:
            return "error", exc.message
        cus = acct.objects[session["customer"]]
        previous = {"invoice_settings": dict(cus["invoice_settings"])}
        cus["invoice_settings"]["default_payment_method"] = pm["id"]
        self.emit(acct, "customer.updated", cus, previous)
        for sub in acct.all("subscription"):
            if (
                sub["customer"] == cus["id"]
                and sub["status"] not in ("canceled", "incomplete_expired")
                and sub["default_payment_method"]
            ):
                self.subscriptions_update(acct, {"default_payment_method": pm["id"]}, sub["id"])
        flow = session["flow"]
        if flow and flow["after_completion"]["type"] == "redirect":
            return "redirect", flow["after_completion"]["redirect"]["return_url"]
        if flow and session["return_url"] and flow["after_completion"]["type"] == "portal_homepage":
            return "redirect", session["return_url"]
        return "done", "Your payment method was updated."
