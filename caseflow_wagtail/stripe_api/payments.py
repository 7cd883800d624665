"""Calls for taking payments: Checkout Sessions, the charge and PaymentIntent behind them, their fees and refunds."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from .connection import StripeConnection
from .params import plain

logger = logging.getLogger(__name__)


class PaymentCalls(StripeConnection):
    """Checkout Sessions, charges, PaymentIntents, balance transactions and refunds."""

    # -- Checkout ------------------------------------------------------------------------------------

    def create_checkout_session(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        session = self.call(
            lambda: self.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
        )
        return plain(session)

    def retrieve_checkout_session(self, session_id: str) -> dict[str, Any]:
        """The session with its PaymentIntent, charge and balance transaction (for the fee) expanded."""
        session = self.call(
            lambda: self.v1.checkout.sessions.retrieve(
                session_id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
            )
        )
        return plain(session)

    def expire_checkout_session(self, session_id: str) -> dict[str, Any]:
        """Close a session's payment page now (Stripe refuses one that is no longer open)."""
        return plain(self.call(lambda: self.v1.checkout.sessions.expire(session_id)))

    def retrieve_balance_transaction(self, balance_transaction_id: str) -> dict[str, Any]:
        """A charge's balance transaction: Stripe's fee and net, in the settlement currency."""
        return plain(self.call(lambda: self.v1.balance_transactions.retrieve(balance_transaction_id)))

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        """A charge with its balance transaction expanded (null until asynchronous capture finishes)."""
        return plain(
            self.call(lambda: self.v1.charges.retrieve(charge_id, params={"expand": ["balance_transaction"]}))
        )

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        """A PaymentIntent with its latest charge and that charge's balance transaction expanded."""
        return plain(
            self.call(
                lambda: self.v1.payment_intents.retrieve(
                    payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
                )
            )
        )

    # -- reconciliation --------------------------------------------------------------------------------

    def charge_refunds(self, charge_id: str) -> list[dict[str, Any]]:
        """Every refund of a charge, oldest first.

        A Charge no longer includes its refunds unless expanded (API change of 2022-11-15), and a webhook
        event's object is never expanded, so they are listed here.
        """
        params: dict[str, Any] = {"charge": charge_id, "limit": 100}
        found: list[dict[str, Any]] = []
        page = self.call(lambda: self.v1.refunds.list(params=params))
        found.extend(plain(refund) for refund in page.data)
        while page.has_more and page.data:
            last = page.data[-1].id
            page = self.call(partial(self.v1.refunds.list, params={**params, "starting_after": last}))
            found.extend(plain(refund) for refund in page.data)
        found.reverse()
        return found
