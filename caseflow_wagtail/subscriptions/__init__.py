"""Retainer subscriptions: set-up, Stripe's state kept in step, each paid cycle recorded as an invoice.

Views and webhook handlers call this package; it calls Stripe through the site's client (``stripe_client``)
and money through ``ledger``. Every change a user asks for goes to Stripe first and is stored from Stripe's
answer, so the row never claims something Stripe did not do.

- ``common``: names, errors, links and look-ups every part shares;
- ``setup``: creating a retainer and the Checkout page that saves the client's card;
- ``state``: Stripe's subscription state, from its events and the set-up page;
- ``cycles``: each cycle's paid, failed or authentication-needing Stripe invoice;
- ``manage``: cancelling, undoing a cancellation, the card page;
- ``portal``: the site's own Stripe customer-portal configuration (card update only) and its sessions;
- ``emails``: the retainer's emails, sent by the task worker.

The modules import ``common`` and each other in that order (``manage`` uses ``state`` and ``portal``; ``setup``, ``state``
and ``cycles`` use ``emails``), never back. What the rest of the plugin uses is named here.
"""

from .common import (
    SubscriptionError,
    card_update_link,
    card_updates_allowed,
    setup_link,
    stripe_for,
)
from .cycles import record_action_required, record_failed_payment, record_paid_invoice
from .emails import send_subscription_email
from .manage import (
    cancel_at_period_end,
    cancel_now,
    portal_url,
    undo_cancellation,
)
from .setup import checkout_url_for_setup, create_subscription, send_setup_email, validate_terms
from .state import apply_subscription_event, confirm_setup_session, link_checkout_session

__all__ = [
    "SubscriptionError",
    "apply_subscription_event",
    "cancel_at_period_end",
    "cancel_now",
    "card_update_link",
    "card_updates_allowed",
    "checkout_url_for_setup",
    "confirm_setup_session",
    "create_subscription",
    "link_checkout_session",
    "portal_url",
    "record_action_required",
    "record_failed_payment",
    "record_paid_invoice",
    "send_setup_email",
    "send_subscription_email",
    "setup_link",
    "stripe_for",
    "undo_cancellation",
    "validate_terms",
]
