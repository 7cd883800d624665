"""Calls for retainers: customers, products and prices, subscriptions and their invoices, the card portal."""

from __future__ import annotations

import logging
from typing import Any

from .connection import StripeConnection
from .errors import StripeRequestRejected
from .params import plain

logger = logging.getLogger(__name__)


class BillingCalls(StripeConnection):
    """Customers, prices, subscriptions, their invoices and payment methods, and the portal."""

    # -- subscriptions ---------------------------------------------------------------------------------

    def create_customer(self, *, email: str, metadata: dict[str, str], key: str) -> dict[str, Any]:
        params: dict[str, Any] = {"metadata": metadata}
        if email:
            params["email"] = email
        return plain(
            self.call(lambda: self.v1.customers.create(params=params, options={"idempotency_key": key}))
        )

    def customer_exists(self, customer_id: str) -> bool:
        """Whether Stripe still has the customer (one deleted in the dashboard answers ``deleted``)."""
        try:
            customer = self.call(lambda: self.v1.customers.retrieve(customer_id))
        except StripeRequestRejected:
            return False
        return not getattr(customer, "deleted", False)

    def create_product(self, *, name: str, metadata: dict[str, str], key: str) -> dict[str, Any]:
        return plain(
            self.call(
                lambda: self.v1.products.create(
                    params={"name": name, "metadata": metadata}, options={"idempotency_key": key}
                )
            )
        )

    def create_recurring_price(
        self,
        *,
        product: str,
        amount_minor: int,
        currency: str,
        interval: str,
        interval_count: int,
        key: str,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "product": product,
            "unit_amount": amount_minor,
            "currency": currency.lower(),
            "recurring": {"interval": interval, "interval_count": interval_count},
        }
        return plain(
            self.call(lambda: self.v1.prices.create(params=params, options={"idempotency_key": key}))
        )

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return plain(self.call(lambda: self.v1.subscriptions.retrieve(subscription_id)))

    def update_subscription(self, subscription_id: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        return plain(
            self.call(
                lambda: self.v1.subscriptions.update(
                    subscription_id, params=params, options={"idempotency_key": key}
                )
            )
        )

    def cancel_subscription(self, subscription_id: str, key: str) -> dict[str, Any]:
        return plain(
            self.call(lambda: self.v1.subscriptions.cancel(subscription_id, options={"idempotency_key": key}))
        )

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        return plain(self.call(lambda: self.v1.invoices.retrieve(invoice_id)))

    def retrieve_payment_method(self, payment_method_id: str) -> dict[str, Any]:
        return plain(self.call(lambda: self.v1.payment_methods.retrieve(payment_method_id)))

    def invoice_payment_intent(self, invoice_id: str) -> str:
        """The PaymentIntent that paid a Stripe invoice; empty when none did.

        Since API version 2025-03-31 an invoice no longer names its PaymentIntent: its payments do.
        """
        page = self.call(lambda: self.v1.invoice_payments.list(params={"invoice": invoice_id, "limit": 10}))
        for payment in plain(page).get("data") or []:
            if payment.get("status") == "paid":
                intent = (payment.get("payment") or {}).get("payment_intent")
                return (intent.get("id") if isinstance(intent, dict) else intent) or ""
        return ""

    def ensure_portal_configuration(self, params: dict[str, Any], known_id: str, key: str) -> str:
        """The id of a customer-portal configuration with these settings: ``known_id`` brought up to date
        (and active again), or a new one when Stripe no longer has it (another account's key, say)."""
        if known_id:
            try:
                updated = self.call(
                    lambda: self.v1.billing_portal.configurations.update(
                        known_id, params={**params, "active": True}
                    )
                )
                return updated.id
            except StripeRequestRejected as rejected:
                if rejected.code != "resource_missing":
                    raise
        created = self.call(
            lambda: self.v1.billing_portal.configurations.create(
                params=params, options={"idempotency_key": key}
            )
        )
        return created.id

    def create_portal_session(self, *, customer: str, return_url: str, configuration: str) -> dict[str, Any]:
        """A billing-portal session that only replaces the card, then sends the client back.

        ``configuration`` is always given: an account whose portal settings were never saved in the
        Dashboard has no default one, and Stripe refuses a session without it.
        """
        params: dict[str, Any] = {
            "customer": customer,
            "configuration": configuration,
            "return_url": return_url,
            "flow_data": {
                "type": "payment_method_update",
                "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
            },
        }
        return plain(self.call(lambda: self.v1.billing_portal.sessions.create(params=params)))
