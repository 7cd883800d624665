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

from .._resources.invoice_payments import open_payment_intent
from .._resources.invoices import HOSTED_INVOICE_PREFIX as PREFIX
from . import pages
from .pages import Page, Response

if TYPE_CHECKING:
    from .._api import Api
    from .._core import Account


def invoice_page(acct: Account, invoice: dict[str, Any], pi: dict[str, Any] | None) -> str:
    amount = pages.format_amount(invoice["amount_due"], invoice["currency"])
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
    return pages.document(f"Invoice from {acct.merchant_name}", body)


def handle(api: Api, acct: Account, oid: str, rest: list[str], method: str, form: dict[str, str]) -> Response:
    """GET /invoice/{id}; GET/POST /invoice/{id}/authenticate (the emulator's 3-D Secure test page)."""
    invoice = acct.find("invoice", oid)
    if invoice is None or invoice["status"] == "draft":
        return Page(404, pages.message_page("Not found", "This invoice does not exist."))
    pi = open_payment_intent(acct, invoice)
    if rest == ["authenticate"] and invoice["status"] == "open" and pi and pi["status"] == "requires_action":
        if method == "GET":
            amount = pages.format_amount(invoice["amount_due"], invoice["currency"])
            return Page(
                200, pages.authenticate_page(f"{PREFIX}{oid}/authenticate", acct.merchant_name, amount)
            )
        api.authenticate_invoice(acct, invoice, form.get("outcome") == "complete")
        pi = open_payment_intent(acct, invoice)
    return Page(200, invoice_page(acct, invoice, pi))
