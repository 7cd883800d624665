"""The 3-D Secure page of a PaymentIntent (``/authenticate/{id}``), back to its ``return_url``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core import Account
from . import pages
from .pages import Page, Redirect, Response

if TYPE_CHECKING:
    from .._api import Api


def handle(api: Api, acct: Account, oid: str, method: str, form: dict[str, str]) -> Response:
    pi = acct.find("payment_intent", oid)
    if pi is None:
        return Page(404, pages.message_page("Not found", "This payment does not exist."))
    if method == "GET":
        if pi["status"] != "requires_action":
            return Page(
                200,
                pages.message_page(
                    "Nothing to authenticate", f"This payment is {pi['status'].replace('_', ' ')}."
                ),
            )
        return Page(
            200,
            pages.authenticate_page(
                f"/authenticate/{oid}",
                acct.merchant_name,
                pages.format_amount(pi["amount"], pi["currency"]),
            ),
        )
    status = api.authenticate(acct, pi, form.get("outcome") == "complete")
    return_url = acct.priv(oid).get("return_url")
    if return_url:
        sep = "&" if "?" in return_url else "?"
        redirect_status = "succeeded" if status == "succeeded" else "failed"
        return Redirect(
            f"{return_url}{sep}payment_intent={oid}&payment_intent_client_secret="
            f"{pi['client_secret']}&redirect_status={redirect_status}"
        )
    return Page(200, pages.message_page("Authentication finished", f"This payment is {status}."))
