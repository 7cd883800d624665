"""Signals sent after money moves (inside the ledger's transaction: defer side effects with on_commit)."""

from django.dispatch import Signal

#: Sent with ``payment`` and ``invoice`` when a new payment is recorded (never for a duplicate).
payment_recorded = Signal()

#: Sent with ``adjustment`` and ``invoice`` when a new refund or credit is recorded.
adjustment_recorded = Signal()
