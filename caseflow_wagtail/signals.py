"""The plugin's signals: after money moves (inside the ledger's transaction: defer side effects with
on_commit), and before an invoice's terms change."""

from django.dispatch import Signal

#: Sent with ``payment`` and ``invoice`` when a new payment is recorded (never for a duplicate).
payment_recorded = Signal()

#: Sent with ``adjustment`` and ``invoice`` when a new refund or credit is recorded.
adjustment_recorded = Signal()

#: Sent with ``invoice`` before a new currency or total of an invoice is saved, so that the payment pages
#: still open for the old terms are closed first (``checkout`` does).
invoice_terms_changing = Signal()

#: Sent with ``sending`` when staff asked for an invoice to be emailed (inside the transaction that recorded
#: the request: the email goes out after it commits).
invoice_sending_requested = Signal()
