"""The hosted invoice page behind ``invoice.hosted_invoice_url``.

Stripe sets ``hosted_invoice_url`` when an invoice is finalised ("The URL for the hosted invoice page, which
allows customers to view and pay an invoice. If the invoice has not been finalized yet, this will be null." —
stripe-python's Invoice resource). When a subscription payment needs 3-D Secure
(``invoice.payment_action_required``) that page is where the customer confirms the payment with the bank;
once the invoice's PaymentIntent succeeds, Stripe pays the invoice and sends ``invoice_payment.paid``,
``invoice.paid`` and ``invoice.payment_succeeded`` like any other successful attempt.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from . import _pages

if TYPE_CHECKING:
    from ._api import Api
    from ._core import Account

PREFIX = "/invoice/"


def url_for(base_url: str, invoice_id: str) -> str:
    return f"{base_url}{PREFIX}{invoice_id}"


def open_payment_intent(acct: Account, invoice: dict[str, Any]) -> dict[str, Any] | None:
    """The PaymentIntent of the invoice's latest attempt, if any."""
    pi_id = acct.priv(invoice["id"]).get("payment_intent")
    return acct.find("payment_intent", pi_id) if pi_id else None


def invoice_page(acct: Account, invoice: dict[str, Any], pi: dict[str, Any] | None) -> str:
    amount = _pages.format_amount(invoice["amount_due"], invoice["currency"])
    head = (
        f'<section aria-label="Invoice"><h1>Invoice {escape(invoice.get("number") or invoice["id"])}</h1>'
        f"<p>{escape(acct.merchant_name)}</p>"
    )
    if invoice["status"] == "paid":
        body = (
            f'{head}<p class="total">{amount}</p><div class="notice" id="paid">Invoice paid.</div></section>'
        )
    elif invoice["status"] != "open":
        body = f"{head}<p>This invoice is {escape(invoice['status'])}.</p></section>"
    elif pi is not None and pi["status"] == "requires_action":
        body = (
            f'{head}<p>Amount due</p><p class="total" id="amount-due">{amount}</p>'
            "<p>Your bank asks you to confirm this payment.</p>"
            f'<form method="get" action="{PREFIX}{escape(invoice["id"], quote=True)}/authenticate">'
            '<button type="submit" id="confirm">Confirm payment</button></form></section>'
        )
    else:
        body = (
            f'{head}<p>Amount due</p><p class="total" id="amount-due">{amount}</p>'
            f'<p class="hint">Contact {escape(acct.merchant_name)} to pay this invoice.</p></section>'
        )
    return _pages._page(f"Invoice from {acct.merchant_name}", body)


def authenticate(api: Api, acct: Account, invoice: dict[str, Any], complete: bool) -> str:
    """The 3-D Secure outcome for the invoice's open PaymentIntent; pays the invoice when it succeeds."""
    pi = open_payment_intent(acct, invoice)
    if invoice["status"] != "open" or pi is None:
        return invoice["status"]
    status = api.authenticate(acct, pi, complete)
    if status != "succeeded":
        return invoice["status"]
    now = api.now(acct, invoice["customer"])
    for payment in acct.all("invoice_payment"):
        if payment["invoice"] == invoice["id"] and payment["payment"].get("payment_intent") == pi["id"]:
            payment.update(status="paid", amount_paid=invoice["amount_due"])
            payment["status_transitions"]["paid_at"] = now
            api.emit(acct, "invoice_payment.paid", payment)
    api._mark_paid(acct, invoice, now)
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    sub = acct.find("subscription", details.get("subscription"))
    if sub and sub["status"] in ("past_due", "incomplete", "unpaid"):
        api._set_status(acct, sub, "active")
    return "paid"


def handle(server: Any, acct: Account, oid: str, rest: list[str], method: str, form: dict[str, str]) -> None:
    """GET /invoice/{id}; GET/POST /invoice/{id}/authenticate (the emulator's 3-D Secure test page)."""
    invoice = acct.find("invoice", oid)
    if invoice is None or invoice["status"] == "draft":
        server._html(404, _pages.message_page("Not found", "This invoice does not exist."))
        return
    pi = open_payment_intent(acct, invoice)
    if rest == ["authenticate"] and invoice["status"] == "open" and pi and pi["status"] == "requires_action":
        if method == "GET":
            amount = _pages.format_amount(invoice["amount_due"], invoice["currency"])
            server._html(
                200, _pages.authenticate_page(f"{PREFIX}{oid}/authenticate", acct.merchant_name, amount)
            )
            return
        authenticate(server.state.api, acct, invoice, form.get("outcome") == "complete")
        pi = open_payment_intent(acct, invoice)
    server._html(200, invoice_page(acct, invoice, pi))
