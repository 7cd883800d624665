"""Which hosted page a request is for, under the store's lock; failures become a message page."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._core import set_request
from .._errors import StripeApiError
from .._resources.invoices import HOSTED_INVOICE_PREFIX
from . import checkout, invoice, pages, payment, portal
from .pages import Page, Response

if TYPE_CHECKING:
    from .._state import EmulatorState

PREFIXES = ("/checkout/", "/billing_portal/", "/authenticate/", HOSTED_INVOICE_PREFIX)


def handle(state: EmulatorState, method: str, path: str, read_form: Callable[[], dict[str, str]]) -> Response:
    """The page at ``path``; ``read_form`` gives a POST's fields (read only once the page is known)."""
    parts = path.strip("/").split("/")
    oid = parts[1] if len(parts) > 1 else ""
    acct = state.pages.get(oid) or state.owner(oid)
    if acct is None:
        return Page(404, pages.message_page("Not found", "This page does not exist or has been reset."))
    form = pages.parse_expiry(read_form()) if method == "POST" else {}
    try:
        with state.lock:
            set_request(None)
            if parts[0] == "checkout":
                return checkout.handle(state.api, acct, oid, parts[2:], method, form)
            if parts[0] == "billing_portal":
                return portal.handle(state.api, acct, oid, method, form)
            if parts[0] == "invoice":
                return invoice.handle(state.api, acct, oid, parts[2:], method, form)
            return payment.handle(state.api, acct, oid, method, form)
    except StripeApiError as exc:
        return Page(exc.status, pages.message_page("Payment problem", exc.message))
    except Exception as exc:
        traceback.print_exc()
        return Page(500, pages.message_page("Emulator error", f"{type(exc).__name__}: {exc}"))
