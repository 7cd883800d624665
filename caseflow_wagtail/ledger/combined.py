"""One card payment shared by several invoices of one client (paid together from the account page).

The money is one ``CombinedPayment``, holding Stripe's ids once; each invoice's share is a ``Payment`` of
that invoice, recorded as any other, so its balance, status and audit log are what they would be had the
share been paid alone. All of it is recorded in one transaction, once per Stripe id or account checkout,
whichever of the webhook, its twin event, the success page or the sync comes first.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..exceptions import LedgerError
from ..models import (
    AccountCheckout,
    Client,
    CombinedPayment,
    InvoicePage,
    Payment,
    PaymentMethod,
    PaymentSource,
    ReceiptStatus,
)
from ..signals import payment_recorded
from .entries import (
    Recorded,
    _check_currency,
    _check_resulting_totals,
    _clean_amount,
    _complete_ids,
    _external_id_filter,
    _refresh_totals,
    _settle,
    note_card,
)


@dataclass(frozen=True, slots=True)
class Allocation:
    """What one invoice receives of a combined payment."""

    invoice: InvoicePage | int
    amount: Decimal

    @property
    def invoice_pk(self) -> int:
        return self.invoice if isinstance(self.invoice, int) else self.invoice.pk


def _existing(checkout: AccountCheckout | None, lookup: Q | None) -> CombinedPayment | None:
    query = Q(checkout=checkout) if checkout is not None else Q(pk__in=[])
    if lookup is not None:
        query |= lookup
    return CombinedPayment.objects.filter(query).order_by("pk").first()


def _lock_all(allocations: Sequence[Allocation]) -> dict[int, InvoicePage]:
    """Every invoice locked, in one order for every caller, so two payments never deadlock."""
    pks = [allocation.invoice_pk for allocation in allocations]
    if len(set(pks)) != len(pks):
        raise LedgerError(_("An invoice appears twice in one payment."))
    locked = {invoice.pk: invoice for invoice in InvoicePage.objects.select_for_update().filter(pk__in=pks)}
    if len(locked) != len(pks):
        raise LedgerError(_("That invoice does not exist."))
    return locked


def record_combined_payment(
    allocations: Sequence[Allocation],
    *,
    client: Client,
    currency: str,
    source: str,
    checkout: AccountCheckout | None = None,
    received_on: datetime.date | None = None,
    stripe_payment_intent_id: str = "",
    stripe_charge_id: str = "",
    stripe_checkout_session_id: str = "",
    card_brand: str = "",
    card_last4: str = "",
    send_receipt: bool = True,
) -> Recorded[CombinedPayment]:
    """Record one card payment across ``allocations`` (in the order given: the receipt lists them so).

    Every invoice must be the client's, published, not void and in ``currency``; otherwise nothing is
    recorded (``LedgerError``). Calling again for the same checkout or Stripe ids returns the first
    payment, with the ids and the card this call knows and it lacked. With ``send_receipt`` one receipt,
    listing every invoice, is sent after the transaction commits.
    """
    if source not in PaymentSource.values:
        raise LedgerError(_("Unknown payment source “%(source)s”.") % {"source": source})
    if not allocations:
        raise LedgerError(_("A payment must be applied to at least one invoice."))
    ids = {
        "stripe_payment_intent_id": stripe_payment_intent_id,
        "stripe_charge_id": stripe_charge_id,
        "stripe_checkout_session_id": stripe_checkout_session_id,
    }
    lookup = _external_id_filter(**ids)
    with transaction.atomic():
        locked = _lock_all(allocations)
        existing = _existing(checkout, lookup)
        if existing is not None:
            _complete_ids(existing, **ids)
            note_card(existing, brand=card_brand, last4=card_last4)
            return Recorded(existing, created=False)
        shares: list[tuple[InvoicePage, Decimal]] = []
        for allocation in allocations:
            invoice = locked[allocation.invoice_pk]
            code = _check_currency(invoice, currency)
            if invoice.client_id != client.pk:
                raise LedgerError(
                    _("Invoice %(number)s is not this client's.") % {"number": invoice.invoice_number}
                )
            if not invoice.live or invoice.voided_at:
                raise LedgerError(
                    _("Invoice %(number)s can no longer be paid.") % {"number": invoice.invoice_number}
                )
            value = _clean_amount(allocation.amount, code)
            _refresh_totals(invoice)
            _check_resulting_totals(invoice, "payment", value)
            shares.append((invoice, value))
        total = sum((value for _invoice, value in shares), Decimal(0))
        try:
            with transaction.atomic():
                combined = CombinedPayment.objects.create(
                    checkout=checkout,
                    client=client,
                    amount=total,
                    currency=code,
                    source=source,
                    received_on=received_on or timezone.localdate(),
                    card_brand=card_brand if card_last4 else "",
                    card_last4=card_last4,
                    **ids,
                )
        except IntegrityError:
            # Another path recorded it in the instant between the lookup and the insert (SQLite, which
            # has no row locks to make it wait): theirs stands.
            winner = _existing(checkout, lookup)
            if winner is None:
                raise
            return Recorded(winner, created=False)
        for position, (invoice, value) in enumerate(shares):
            payment = Payment.objects.create(
                invoice=invoice,
                amount=value,
                currency=code,
                method=PaymentMethod.CARD,
                source=source,
                received_on=combined.received_on,
                reference=invoice.invoice_number,
                combined_payment=combined,
                # One receipt for the whole payment, sent from its first share.
                receipt_status=(
                    ReceiptStatus.PENDING if send_receipt and position == 0 else ReceiptStatus.NOT_SENT
                ),
            )
            _settle(
                invoice,
                payment,
                audit.PAYMENT_RECORDED,
                {"method": payment.method, "source": payment.source, "combined_payment_id": combined.pk},
            )
            payment_recorded.send(sender=Payment, payment=payment, invoice=invoice)
        return Recorded(combined, created=True)
