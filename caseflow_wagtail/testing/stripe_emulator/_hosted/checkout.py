"""The hosted Checkout page (``/checkout/{id}``) and its 3-D Secure step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core import Account
from . import pages
from .pages import Page, Redirect, Response

if TYPE_CHECKING:
    from .._api import Api


def handle(api: Api, acct: Account, oid: str, rest: list[str], method: str, form: dict[str, str]) -> Response:
    session = acct.find("checkout.session", oid)
    if session is None:
        return Page(404, pages.message_page("Not found", "This Checkout Session does not exist."))
    api._refresh_session(acct, session)
    merchant = acct.merchant_name
    if session["status"] == "expired":
        link = (session["cancel_url"], f"Return to {merchant}") if session["cancel_url"] else None
        return Page(410, pages.message_page("Session expired", "This checkout session has expired.", link))
    if session["status"] == "complete":
        return Page(
            200,
            pages.message_page(
                "Payment complete",
                "This checkout session is already complete.",
                (
                    session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]),
                    f"Return to {merchant}",
                ),
            ),
        )
    items = acct.priv(oid)["line_items"]
    trial_days = acct.priv(oid)["sub_data"].get("trial_period_days")
    if rest == ["authenticate"]:
        action = f"/checkout/{oid}/authenticate"
        if method == "GET":
            return Page(
                200,
                pages.authenticate_page(
                    action, merchant, pages.format_amount(session["amount_total"], session["currency"])
                ),
            )
        outcome, target = api.checkout_authenticate(acct, session, form.get("outcome") == "complete")
    elif rest:
        return Page(404, pages.message_page("Not found", "There is nothing at this address."))
    elif method == "GET":
        return Page(200, pages.checkout_page(session, items, merchant, trial_days=trial_days))
    else:
        outcome, target = api.checkout_pay(acct, session, form)
    if outcome in ("redirect", "authenticate"):
        return Redirect(target)
    kept = {k: form.get(k, "") for k in ("email", "name")}
    return Page(
        402,
        pages.checkout_page(session, items, merchant, error=target, values=kept, trial_days=trial_days),
    )
