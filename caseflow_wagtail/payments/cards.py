"""The card a payment was made with, as its holder knows it: the brand and the last four digits.

Stripe names them on the Charge, ``payment_method_details.card.brand`` and ``.last4`` (both nullable at the
pinned API version), when ``payment_method_details.type`` is ``card``. They are read only from charges the
plugin already has in hand, never asked of Stripe on their own: the success page's and the sync's session
(retrieved with ``payment_intent.latest_charge`` expanded), ``charge.updated`` events, and the charges the
sync fetches for missing fees. A payment whose card is not known (a Checkout event alone, which is never
expanded; another means of payment) simply has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import ledger
from ..models import CombinedPayment, Payment

LAST4 = re.compile(r"[0-9]{4}")
# Stripe's codes are short (``cartes_bancaires`` is the longest); the column holds 32 characters.
BRAND_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Card:
    brand: str
    last4: str


NO_CARD = Card(brand="", last4="")


def card_of(charge: Any) -> Card:
    """The card of a Charge (a dict as Stripe sent it), or ``NO_CARD`` when it names none: an id where the
    charge was not expanded, another payment method, or digits that are not four digits."""
    if not isinstance(charge, dict):
        return NO_CARD
    details = charge.get("payment_method_details")
    if not isinstance(details, dict) or details.get("type") != "card":
        return NO_CARD
    card = details.get("card")
    if not isinstance(card, dict):
        return NO_CARD
    last4, brand = card.get("last4"), card.get("brand")
    if not isinstance(last4, str) or not LAST4.fullmatch(last4):
        return NO_CARD
    brand = brand if isinstance(brand, str) and len(brand) <= BRAND_LENGTH else ""
    return Card(brand=brand, last4=last4)


def note(payment: Payment | CombinedPayment, charge: Any) -> bool:
    """Keep the card of ``charge`` on ``payment`` unless it already has one (or the charge names none)."""
    card = card_of(charge)
    return ledger.note_card(payment, brand=card.brand, last4=card.last4)
