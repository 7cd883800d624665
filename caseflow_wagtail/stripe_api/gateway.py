"""The Stripe client of one account: every call the plugin makes, grouped by role."""

from __future__ import annotations

from .account import AccountCalls
from .billing import BillingCalls
from .payments import PaymentCalls


class StripeGateway(PaymentCalls, BillingCalls, AccountCalls):
    """Stripe for one account's secret key (build it for a site with ``stripe_client.for_site``)."""
