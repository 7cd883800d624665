"""The one service through which money moves.

Every payment and adjustment is recorded here, with the invoice rows locked, exactly once per external id
(Stripe PaymentIntent, charge, Checkout Session or refund), and the invoices' cached totals updated in the
same transaction. It knows nothing of requests or of Stripe's API.

``entries``: a payment or an adjustment of one invoice. ``combined``: one payment shared by several invoices
(each invoice's share is a payment of its own).
"""

from .combined import Allocation, record_combined_payment
from .entries import (
    LARGEST_AMOUNT,
    Recorded,
    note_card,
    note_fees,
    record_adjustment,
    record_payment,
)

__all__ = [
    "LARGEST_AMOUNT",
    "Allocation",
    "Recorded",
    "note_card",
    "note_fees",
    "record_adjustment",
    "record_combined_payment",
    "record_payment",
]
