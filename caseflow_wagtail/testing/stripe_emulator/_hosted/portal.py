"""The hosted customer portal page (``/billing_portal/{id}``): the default card, subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core import Account
from . import pages
from .pages import Page, Redirect, Response

if TYPE_CHECKING:
    from .._api import Api


def handle(api: Api, acct: Account, oid: str, method: str, form: dict[str, str]) -> Response:
    session = acct.find("billing_portal.session", oid)
    if session is None:
        return Page(404, pages.message_page("Not found", "This portal session does not exist."))
    error = notice = None
    if method == "POST":
        outcome, text = api.portal_update_card(acct, session, form)
        if outcome == "redirect":
            return Redirect(text)
        error, notice = (text, None) if outcome == "error" else (None, text)
    customer = acct.objects[session["customer"]]
    pm_id = customer["invoice_settings"]["default_payment_method"]
    card = acct.objects[pm_id]["card"] if pm_id in acct.objects else None
    subs = [s for s in acct.all("subscription") if s["customer"] == customer["id"]]
    return Page(
        200 if not error else 402,
        pages.portal_page(session, customer, card, subs, acct.merchant_name, error, notice),
    )
