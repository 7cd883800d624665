"""The Stripe API as one object: every resource's handlers composed, plus the fields ``expand[]`` brings.

The route table (``_routes``) names a handler of ``Api`` for each endpoint; the HTTP layer (``_v1``) calls
it under the store's lock. Each resource lives in its own module of ``_resources``.
"""

from __future__ import annotations

from typing import Any

from ._core import Account
from ._errors import invalid
from ._resources.billing_portal import BillingPortal
from ._resources.charges import Charges
from ._resources.checkout import CheckoutSessions
from ._resources.checkout_completion import CheckoutCompletion
from ._resources.clocks import TestClocks
from ._resources.customers import Customers
from ._resources.disputes import Disputes
from ._resources.events import Events
from ._resources.invoice_payments import InvoicePayments
from ._resources.invoices import Invoices
from ._resources.payment_intents import PaymentIntents
from ._resources.payment_methods import PaymentMethods
from ._resources.portal_configurations import PortalConfigurations
from ._resources.products import Products
from ._resources.setup_intents import SetupIntents
from ._resources.subscriptions import Subscriptions
from ._resources.webhook_endpoints import WebhookEndpoints


class Api(
    Customers,
    Products,
    PaymentMethods,
    PaymentIntents,
    Charges,
    Disputes,
    SetupIntents,
    CheckoutSessions,
    CheckoutCompletion,
    Subscriptions,
    Invoices,
    InvoicePayments,
    TestClocks,
    PortalConfigurations,
    BillingPortal,
    WebhookEndpoints,
    Events,
):
    """Every handler of the emulator's Stripe API (``Api.<handler>(acct, params, **path_args)``)."""

    # Fields that Stripe only includes when asked for with ``expand[]``.
    def virtual_field(self, acct: Account, obj: dict[str, Any], key: str) -> Any:
        if obj.get("object") == "checkout.session" and key == "line_items":
            return self.paginate(
                acct.priv(obj["id"])["line_items"],
                {"limit": "100"},
                f"/v1/checkout/sessions/{obj['id']}/line_items",
            )
        if obj.get("object") == "invoice" and key == "payments":
            items = [p for p in acct.all("invoice_payment") if p["invoice"] == obj["id"]]
            return self.paginate(items, {"limit": "100"}, f"/v1/invoice_payments?invoice={obj['id']}")
        if obj.get("object") == "charge" and key == "refunds":
            # Not part of a Charge since 2022-11-15: only ``expand[]=refunds`` brings it, newest first.
            items = [r for r in acct.all("refund") if r["charge"] == obj["id"]]
            return self.paginate(items, {"limit": "100"}, f"/v1/charges/{obj['id']}/refunds")
        raise invalid(f"This property cannot be expanded ({key}).", param="expand")
