"""Payments and adjustments of one invoice, recorded with the invoice row locked."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .. import audit, money
from ..exceptions import LedgerError
from ..models import (
    Adjustment,
    AdjustmentKind,
    CombinedPayment,
    InvoicePage,
    Payment,
    PaymentMethod,
    PaymentSource,
    ReceiptStatus,
)
from ..signals import adjustment_recorded, payment_recorded

Entry = TypeVar("Entry", Payment, Adjustment, CombinedPayment)

# Kept for callers that read it here; the limit lives in money (see money.LARGEST_AMOUNT for why).
LARGEST_AMOUNT = money.LARGEST_AMOUNT


@dataclass(frozen=True, slots=True)
class Recorded(Generic[Entry]):
    """The ledger's answer: the entry, and whether this call created it (False for a duplicate)."""

    entry: Entry
    created: bool


def _clean_amount(amount: Any, currency: str) -> Decimal:
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError, TypeError):
        raise LedgerError(_("“%(amount)s” is not an amount.") % {"amount": amount}) from None
    if not value.is_finite() or value <= 0:
        raise LedgerError(_("The amount must be greater than zero."))
    # Size before precision: 1E+26 cannot be quantized, and would be refused as too precise.
    if not money.is_within_limit(value):
        raise LedgerError(money.too_large_message(currency))
    if not money.has_valid_precision(value, currency):
        raise LedgerError(money.precision_message(currency))
    return money.quantize(value, currency)


def _check_resulting_totals(invoice: InvoicePage, kind: str, value: Decimal) -> None:
    """Refuse an entry that would take one of the invoice's totals (freshly loaded) past the limit: each
    amount may be within it and their sum not, and a sum the database cannot hold exactly is lost money.

    The balance needs no check of its own: with the total, the payments and the credits within the limit
    (and refunds no more than payments, credits no more than the total), it is too."""
    totals = {
        "payment": (invoice.amount_paid, _("this invoice's payments")),
        AdjustmentKind.REFUND: (invoice.amount_refunded, _("this invoice's refunds")),
        AdjustmentKind.CREDIT: (invoice.amount_credited, _("this invoice's credits")),
    }
    so_far, what = totals[kind]
    if not money.is_within_limit(so_far + value):
        raise LedgerError(
            _("That amount is too large: it would take %(what)s past the limit of %(largest)s.")
            % {"what": what, "largest": money.limit_text(invoice.currency)}
        )


def _check_currency(invoice: InvoicePage, currency: str) -> str:
    try:
        code = money.normalize_currency(currency)
    except ValidationError as error:
        raise LedgerError(error.messages[0]) from None
    if code != invoice.currency:
        raise LedgerError(
            _("This invoice is in %(invoice)s; an amount in %(other)s cannot be recorded against it.")
            % {"invoice": invoice.currency, "other": code}
        )
    return code


def _lock(invoice: InvoicePage | int) -> InvoicePage:
    pk = invoice if isinstance(invoice, int) else invoice.pk
    try:
        return InvoicePage.objects.select_for_update().get(pk=pk)
    except InvoicePage.DoesNotExist:
        raise LedgerError(_("That invoice does not exist.")) from None


def _refresh_totals(invoice: InvoicePage) -> None:
    invoice.load_ledger_totals()
    invoice.balance = invoice.computed_balance()


def _update_totals(invoice: InvoicePage) -> None:
    _refresh_totals(invoice)
    InvoicePage.objects.filter(pk=invoice.pk).update(
        amount_paid=invoice.amount_paid,
        amount_refunded=invoice.amount_refunded,
        amount_credited=invoice.amount_credited,
        balance=invoice.balance,
    )


def _settle(invoice: InvoicePage, entry: Payment | Adjustment, action: str, details: dict[str, Any]) -> None:
    """After a new entry: the invoice's totals, and a line in its audit log (with the staff member)."""
    _update_totals(invoice)
    log(
        instance=invoice,
        action=action,
        user=entry.recorded_by,
        data={
            f"{type(entry)._meta.model_name}_id": entry.pk,
            "amount": str(entry.amount),
            "currency": entry.currency,
            "balance": str(invoice.balance),
            **details,
        },
    )


def _external_id_filter(**ids: str) -> Q | None:
    present = [Q(**{name: value}) for name, value in ids.items() if value]
    if not present:
        return None
    query = present[0]
    for other in present[1:]:
        query |= other
    return query


def _existing(model, invoice: InvoicePage, lookup: Q | None):
    if lookup is None:
        return None
    found = model.objects.filter(lookup).order_by("pk").first()
    if found is not None and found.invoice_id != invoice.pk:
        raise LedgerError(
            _("That Stripe payment is already recorded against another invoice (%(number)s).")
            % {"number": found.invoice.invoice_number}
        )
    return found


def _complete_ids(payment: Payment | CombinedPayment, **ids: str) -> None:
    """A twin event may know an id the first one did not (the session, the charge): keep them all."""
    missing = {name: value for name, value in ids.items() if value and not getattr(payment, name)}
    if missing:
        type(payment).objects.filter(pk=payment.pk).update(**missing)
        for name, value in missing.items():
            setattr(payment, name, value)


def note_card(payment: Payment | CombinedPayment, *, brand: str, last4: str) -> bool:
    """Keep the card a payment was made with (brand code and last four digits), if it has none yet: the
    first to know it tells (the success page's charge, a later ``charge.updated``). Information only."""
    if not last4 or payment.card_last4:
        return False
    changed = (
        type(payment).objects.filter(pk=payment.pk, card_last4="").update(card_brand=brand, card_last4=last4)
    )
    if changed:
        payment.card_brand, payment.card_last4 = brand, last4
    return bool(changed)


def _insert(model, lookup: Q | None, **fields) -> tuple[Any, bool]:
    """Insert the entry; if a unique external id races us in, return the row that won."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields), True
    except IntegrityError:
        if lookup is None:
            raise
        # The invoice lock does not cover a race from another invoice's lock: the winner may belong to
        # another invoice, which must be refused, not handed back as this invoice's entry.
        winner = _existing(model, fields["invoice"], lookup)
        if winner is None:
            raise
        return winner, False


def record_payment(
    invoice: InvoicePage | int,
    *,
    amount: Decimal,
    currency: str,
    method: str = PaymentMethod.CARD,
    source: str = PaymentSource.MANUAL,
    received_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    stripe_payment_intent_id: str = "",
    stripe_charge_id: str = "",
    stripe_checkout_session_id: str = "",
    fee: Decimal | None = None,
    net: Decimal | None = None,
    card_brand: str = "",
    card_last4: str = "",
    send_receipt: bool = True,
    user=None,
) -> Recorded[Payment]:
    """Record money received. Calling again with the same Stripe ids returns the first payment (with the
    ids and the card this call knows and it lacked).

    With ``send_receipt`` the payment is marked for a receipt, which is sent after the transaction commits.
    """
    if method not in PaymentMethod.values:
        raise LedgerError(_("Unknown payment method “%(method)s”.") % {"method": method})
    if source not in PaymentSource.values:
        raise LedgerError(_("Unknown payment source “%(source)s”.") % {"source": source})
    lookup = _external_id_filter(
        stripe_payment_intent_id=stripe_payment_intent_id,
        stripe_charge_id=stripe_charge_id,
        stripe_checkout_session_id=stripe_checkout_session_id,
    )
    with transaction.atomic():
        locked = _lock(invoice)
        code = _check_currency(locked, currency)
        value = _clean_amount(amount, code)
        existing = _existing(Payment, locked, lookup)
        if existing is not None:
            _complete_ids(
                existing,
                stripe_payment_intent_id=stripe_payment_intent_id,
                stripe_charge_id=stripe_charge_id,
                stripe_checkout_session_id=stripe_checkout_session_id,
            )
            note_card(existing, brand=card_brand, last4=card_last4)
            return Recorded(existing, created=False)
        if source == PaymentSource.MANUAL:
            if not locked.live:
                raise LedgerError(_("Publish the invoice before recording a payment against it."))
            if locked.voided_at:
                raise LedgerError(_("This invoice is void; payments cannot be recorded against it."))
        _refresh_totals(locked)
        _check_resulting_totals(locked, "payment", value)
        payment, created = _insert(
            Payment,
            lookup,
            invoice=locked,
            amount=value,
            currency=code,
            method=method,
            source=source,
            received_on=received_on or timezone.localdate(),
            reference=reference,
            note=note,
            stripe_payment_intent_id=stripe_payment_intent_id,
            stripe_charge_id=stripe_charge_id,
            stripe_checkout_session_id=stripe_checkout_session_id,
            fee=fee,
            net=net,
            card_brand=card_brand if card_last4 else "",
            card_last4=card_last4,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
            receipt_status=ReceiptStatus.PENDING if send_receipt else ReceiptStatus.NOT_SENT,
        )
        if not created:
            return Recorded(payment, created=False)
        _settle(locked, payment, audit.PAYMENT_RECORDED, {"method": payment.method, "source": payment.source})
        payment_recorded.send(sender=Payment, payment=payment, invoice=locked)
        return Recorded(payment, created=True)


def record_adjustment(
    invoice: InvoicePage | int,
    *,
    kind: str,
    amount: Decimal,
    currency: str,
    reason: str,
    payment: Payment | None = None,
    stripe_refund_id: str = "",
    user=None,
) -> Recorded[Adjustment]:
    """Record a refund (money returned: the balance reopens) or a credit (forgiven: less is owed)."""
    if kind not in AdjustmentKind.values:
        raise LedgerError(_("Unknown adjustment kind “%(kind)s”.") % {"kind": kind})
    if not (reason or "").strip():
        raise LedgerError(_("Give a reason for the adjustment."))
    lookup = _external_id_filter(stripe_refund_id=stripe_refund_id)
    with transaction.atomic():
        locked = _lock(invoice)
        code = _check_currency(locked, currency)
        value = _clean_amount(amount, code)
        existing = _existing(Adjustment, locked, lookup)
        if existing is not None:
            return Recorded(existing, created=False)
        if payment is not None and payment.invoice_id != locked.pk:
            raise LedgerError(_("That payment belongs to another invoice."))
        if kind == AdjustmentKind.REFUND and payment is not None:
            # Money goes back the way it came: no more than that payment, less what it already returned.
            returned = payment.adjustments.filter(kind=AdjustmentKind.REFUND).aggregate(total=Sum("amount"))
            left = payment.amount - (returned["total"] or Decimal(0))
            if value > left:
                raise LedgerError(
                    _("A refund cannot exceed what is left of the payment it returns (%(left)s).")
                    % {"left": money.format_money(left, code)}
                )
        _refresh_totals(locked)
        if kind == AdjustmentKind.REFUND and value > locked.amount_paid - locked.amount_refunded:
            raise LedgerError(
                _("A refund cannot exceed what was paid and not yet refunded (%(available)s).")
                % {"available": money.format_money(locked.amount_paid - locked.amount_refunded, code)}
            )
        if kind == AdjustmentKind.CREDIT and locked.voided_at:
            raise LedgerError(_("This invoice is void; nothing is owed on it, so it cannot be credited."))
        if kind == AdjustmentKind.CREDIT and value > locked.balance:
            raise LedgerError(
                _("A credit cannot exceed the balance due (%(balance)s).")
                % {"balance": money.format_money(max(locked.balance, Decimal(0)), code)}
            )
        _check_resulting_totals(locked, kind, value)
        adjustment, created = _insert(
            Adjustment,
            lookup,
            invoice=locked,
            kind=kind,
            amount=value,
            currency=code,
            reason=reason.strip(),
            payment=payment,
            stripe_refund_id=stripe_refund_id,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        if not created:
            return Recorded(adjustment, created=False)
        _settle(locked, adjustment, audit.ADJUSTMENT_RECORDED, {"kind": adjustment.kind})
        adjustment_recorded.send(sender=Adjustment, adjustment=adjustment, invoice=locked)
        return Recorded(adjustment, created=True)


def note_fees(
    payment: Payment | CombinedPayment,
    *,
    fee: Decimal,
    net: Decimal,
    currency: str | None = None,
    exchange_rate: Decimal | None = None,
) -> bool:
    """Store Stripe's fee and net for a payment once they are known (information only: the invoice is
    credited with the gross amount). Returns whether anything changed.

    ``currency`` is theirs, the settlement currency (the payment's when not given), and they are rounded
    to its places: a yen payment settled in dollars keeps a $1.45 fee, not ¥1.
    """
    code = money.normalize_currency(currency or payment.currency)
    return bool(
        type(payment)
        .objects.filter(pk=payment.pk, fee__isnull=True)
        .update(
            fee=money.quantize(fee, code),
            net=money.quantize(net, code),
            fee_currency=code,
            exchange_rate=exchange_rate,
        )
    )
