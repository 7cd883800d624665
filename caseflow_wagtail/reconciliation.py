"""Keeping the books in step with what happened in Stripe after a payment: refunds and disputes.

Stripe's side is noted as it arrives (``StripeRefund``, ``StripeDispute``); the ledger's side is one
Adjustment per Stripe refund or lost dispute, recorded through ``caseflow_wagtail.ledger`` with the Stripe id
as its external id, so however often an event or a click repeats, the money moves once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.utils import get_admin_base_url
from wagtail.models import Site

from . import conf, ledger, money, stripe_client, unapplied
from .exceptions import CaseflowError, LedgerError
from .mail import build_email
from .models import (
    Adjustment,
    AdjustmentKind,
    CheckoutSession,
    EventOutcome,
    Payment,
    StripeDispute,
    StripeEvent,
    StripeRefund,
    SyncRun,
    WebhookRefusal,
)
from .models.reconciliation import DisputeStatus
from .models.settings import BillingSettings
from .sites import invoice_site

logger = logging.getLogger(__name__)

REFUND_NOTICE = "stripe-refund"
DISPUTE_NOTICE = "stripe-dispute"


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _when(timestamp: Any) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC) if isinstance(timestamp, int) else None


def payment_for(obj: dict[str, Any]) -> Payment | None:
    """The payment the plugin recorded for the charge or PaymentIntent a refund or dispute names."""
    charge, intent = _id(obj.get("charge")), _id(obj.get("payment_intent"))
    query = Q()
    if charge:
        query |= Q(stripe_charge_id=charge)
    if intent:
        query |= Q(stripe_payment_intent_id=intent)
    if not query:
        return None
    return Payment.objects.filter(query).select_related("invoice").order_by("pk").first()


def _notify_after_commit(kind: str, pk: int) -> None:
    from .tasks import send_reconciliation_notice

    transaction.on_commit(partial(send_reconciliation_notice.enqueue, kind, pk))


# -- refunds ---------------------------------------------------------------------------------------------


def record_automatically() -> bool:
    return bool(conf.get("RECORD_STRIPE_REFUNDS_AUTOMATICALLY"))


def note_refund(refund: dict[str, Any]) -> bool:
    """Keep Stripe's refund of a recorded payment; True when something changed."""
    if refund.get("object") != "refund" or not refund.get("id"):
        return False
    payment = payment_for(refund)
    if payment is None:
        # A refund of money set aside (unapplied) resolves it; any other is not this ledger's business.
        return _refund_resolves_unapplied(refund)
    currency = (refund.get("currency") or payment.currency).upper()
    status = refund.get("status") or ""
    with transaction.atomic():
        row = StripeRefund.objects.select_for_update().filter(stripe_id=refund["id"]).first()
        if row is not None:
            if row.status == status:
                return False
            row.status = status
            row.save(update_fields=["status"])
            return True
        try:
            with transaction.atomic():
                row = StripeRefund.objects.create(
                    stripe_id=refund["id"],
                    payment=payment,
                    invoice_id=payment.invoice_id,
                    amount=money.from_minor_units(refund["amount"], currency),
                    currency=currency,
                    status=status,
                    reason=refund.get("reason") or "",
                    refunded_at=_when(refund.get("created")) or timezone.now(),
                )
        except IntegrityError:
            # Its twin event (refund.* or charge.refunded) noted it at the same instant; it is there now.
            return note_refund(refund)
        if row.needs_reconciling:
            if record_automatically():
                try:
                    with transaction.atomic():
                        reconcile_refund(row, AdjustmentKind.REFUND)
                except LedgerError as error:
                    # E.g. staff already recorded this money by hand: leave the refund for them to decide,
                    # rather than fail the event and have Stripe redeliver it for days.
                    logger.warning("Stripe refund %s left for staff: %s", row.stripe_id, error)
                    row.refresh_from_db()
            _notify_after_commit(REFUND_NOTICE, row.pk)
        return True


def _refund_resolves_unapplied(refund: dict[str, Any]) -> bool:
    from .models import UnappliedPayment, UnappliedStatus

    intent = _id(refund.get("payment_intent"))
    if not intent or refund.get("status") not in StripeRefund.MONEY_RETURNED:
        return False
    row = UnappliedPayment.objects.filter(
        stripe_payment_intent_id=intent, status=UnappliedStatus.NEEDS_REVIEW
    ).first()
    amount = refund.get("amount")
    if row is None or not isinstance(amount, int) or isinstance(amount, bool):
        return False
    if money.from_minor_units(amount, row.currency) < row.amount:
        return False  # a partial refund: the rest still needs staff
    return bool(
        UnappliedPayment.objects.filter(pk=row.pk, status=UnappliedStatus.NEEDS_REVIEW).update(
            status=UnappliedStatus.REFUNDED, resolved_at=timezone.now()
        )
    )


def note_charge_refunded(charge: dict[str, Any], site: Site | None) -> bool:
    """``charge.refunded`` carries the charge but not its refunds: Stripe includes ``charge.refunds`` only
    when expanded (since 2022-11-15) and never expands an event. So the charge's refunds are listed through
    the API of the site that received the event; a refund whose own ``refund.*`` event was lost or is late
    is noted all the same, and once, since ``note_refund`` is keyed on the Stripe refund id."""
    if charge.get("object") != "charge" or not charge.get("id"):
        return False
    if payment_for({"charge": charge["id"], "payment_intent": charge.get("payment_intent")}) is None:
        return False  # not a charge this ledger recorded (or not yet: ``catch_up`` comes back to it)
    changed = False
    for refund in _listed_refunds(charge["id"], site):
        changed = note_refund(refund) or changed
    return changed


def _listed_refunds(charge_id: str, site: Site | None) -> list[dict[str, Any]]:
    if site is None:
        raise LedgerError(_("No site is known for this Stripe event; its refunds cannot be listed."))
    return stripe_client.for_site(site).charge_refunds(charge_id)


def reconcile_refund(refund: StripeRefund | int, kind: str, user=None) -> ledger.Recorded[Adjustment]:
    """Record the adjustment matching a Stripe refund: the money went back to the client, and with a
    credit, what it reopens is forgiven. Recording twice returns the first adjustment."""
    if kind not in AdjustmentKind.values:
        raise ValueError(kind)
    pk = refund if isinstance(refund, int) else refund.pk
    with transaction.atomic():
        row = StripeRefund.objects.select_for_update().select_related("payment", "invoice").get(pk=pk)
        if row.adjustment is not None:
            return ledger.Recorded(row.adjustment, created=False)
        recorded = ledger.record_adjustment(
            row.invoice_id,
            kind=AdjustmentKind.REFUND,
            amount=row.amount,
            currency=row.currency,
            reason=_("Refunded in Stripe (%(refund)s)") % {"refund": row.stripe_id},
            payment=row.payment,
            stripe_refund_id=row.stripe_id,
            user=user,
        )
        if recorded.created and kind == AdjustmentKind.CREDIT:
            # The books must show the money going back (the refund) and that the client does not owe it
            # again (the credit); the balance ends where it was before the refund.
            ledger.record_adjustment(
                row.invoice_id,
                kind=AdjustmentKind.CREDIT,
                amount=row.amount,
                currency=row.currency,
                reason=_("Stripe refund %(refund)s forgiven") % {"refund": row.stripe_id},
                user=user,
            )
        row.adjustment = recorded.entry
        row.reconciled_at = timezone.now()
        row.reconciled_by = user if getattr(user, "is_authenticated", False) else None
        row.save(update_fields=["adjustment", "reconciled_at", "reconciled_by"])
        return recorded


def unreconciled_refunds():
    return (
        StripeRefund.objects.filter(adjustment__isnull=True, status__in=StripeRefund.MONEY_RETURNED)
        .select_related("invoice", "invoice__client", "payment")
        .order_by("-refunded_at")
    )


# -- disputes --------------------------------------------------------------------------------------------


def note_dispute(dispute: dict[str, Any]) -> bool:
    """Flag the payment and its invoice while a client's bank disputes the charge."""
    if dispute.get("object") != "dispute" or not dispute.get("id"):
        return False
    payment = payment_for(dispute)
    if payment is None:
        return False
    currency = (dispute.get("currency") or payment.currency).upper()
    status = dispute.get("status") or ""
    due = _when((dispute.get("evidence_details") or {}).get("due_by"))
    with transaction.atomic():
        row = StripeDispute.objects.select_for_update().filter(stripe_id=dispute["id"]).first()
        fields = {
            "amount": money.from_minor_units(dispute["amount"], currency),
            "currency": currency,
            "reason": dispute.get("reason") or "",
            "status": status,
            "evidence_due_by": due,
        }
        closed = status in (DisputeStatus.WON, DisputeStatus.LOST)
        if row is None:
            row = StripeDispute.objects.create(
                stripe_id=dispute["id"],
                payment=payment,
                invoice_id=payment.invoice_id,
                opened_at=_when(dispute.get("created")) or timezone.now(),
                closed_at=timezone.now() if closed else None,
                **fields,
            )
            _notify_after_commit(DISPUTE_NOTICE, row.pk)
            return True
        was = row.status
        if all(getattr(row, name) == value for name, value in fields.items()):
            return False
        for name, value in fields.items():
            setattr(row, name, value)
        if closed and row.closed_at is None:
            row.closed_at = timezone.now()
        row.save()
        if status == DisputeStatus.LOST and was != DisputeStatus.LOST:
            _notify_after_commit(DISPUTE_NOTICE, row.pk)
        return True


def record_dispute_loss(dispute: StripeDispute | int, user=None) -> ledger.Recorded[Adjustment]:
    """The bank kept the client's money: record it as a refund of the payment, once."""
    pk = dispute if isinstance(dispute, int) else dispute.pk
    with transaction.atomic():
        row = StripeDispute.objects.select_for_update().select_related("payment").get(pk=pk)
        if row.adjustment is not None:
            return ledger.Recorded(row.adjustment, created=False)
        if not row.is_lost:
            raise LedgerError(_("Only a lost dispute is recorded as an adjustment."))
        # The dispute id is the external id: the same once-only guarantee as a Stripe refund's.
        recorded = ledger.record_adjustment(
            row.invoice_id,
            kind=AdjustmentKind.REFUND,
            amount=row.amount,
            currency=row.currency,
            reason=_("Dispute lost in Stripe (%(dispute)s)") % {"dispute": row.stripe_id},
            payment=row.payment,
            stripe_refund_id=row.stripe_id,
            user=user,
        )
        row.adjustment = recorded.entry
        row.save(update_fields=["adjustment"])
        return recorded


def open_disputes():
    return StripeDispute.objects.filter(status__in=DisputeStatus.OPEN).select_related(
        "invoice", "invoice__client", "payment"
    )


def lost_disputes_awaiting_adjustment():
    return StripeDispute.objects.filter(status=DisputeStatus.LOST, adjustment__isnull=True).select_related(
        "invoice", "invoice__client", "payment"
    )


# -- events that came before their payment ---------------------------------------------------------------

REFUND_EVENTS = ("refund.created", "refund.updated")
DISPUTE_EVENTS = ("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
CHARGE_REFUNDED = ("charge.refunded",)


def catch_up(payment: Payment) -> int:
    """Note the refunds and disputes whose events arrived before this payment was recorded.

    Deliveries are unordered and a sync replays them oldest first, so a refund's event can be processed
    while the payment it returns is still unknown; it is stored, and picked up here once the payment is.
    """
    if not payment.stripe_payment_intent_id:
        return 0
    events = StripeEvent.objects.filter(
        type__in=REFUND_EVENTS + DISPUTE_EVENTS + CHARGE_REFUNDED,
        payload__data__object__payment_intent=payment.stripe_payment_intent_id,
    ).order_by("created", "pk")
    changed = 0
    for event in events:
        obj = (event.payload.get("data") or {}).get("object") or {}
        if event.type in CHARGE_REFUNDED:
            noted = _catch_up_charge(obj, event)
        else:
            noted = note_refund(obj) if event.type in REFUND_EVENTS else note_dispute(obj)
        changed += int(noted)
    return changed


def _catch_up_charge(charge: dict[str, Any], event: StripeEvent) -> bool:
    # Listing needs Stripe; if it cannot be reached now, the payment is still recorded and the
    # refund arrives with its own refund.* event or the next sync.
    try:
        return note_charge_refunded(charge, event.site)
    except CaseflowError as error:
        logger.warning("Refunds of charge %s not listed yet: %s", charge.get("id"), error)
        return False


# -- notices to the firm ---------------------------------------------------------------------------------


def _admin_url(name: str) -> str:
    return get_admin_base_url() + reverse(name)


def notice_values(kind: str, row: StripeRefund | StripeDispute) -> dict[str, str]:
    invoice = row.invoice.specific
    site = invoice_site(invoice)
    values = {
        "invoice_number": invoice.invoice_number,
        "client_name": invoice.client.name,
        "amount": row.display_amount,
        "firm_name": BillingSettings.for_site(site).get_firm_name() if site else "",
        "review_link": _admin_url("caseflow_reconciliation:index"),
        "status": row.status_label,
    }
    if isinstance(row, StripeRefund):
        values["date"] = row.refunded_at.date().isoformat()
        values["reconciliation"] = (
            _("Recorded automatically as a refund: the balance is due again.")
            if row.adjustment_id
            else _("Not yet reconciled: record it as a refund or a credit in Billing → Reconciliation.")
        )
    else:
        values["reason"] = row.reason_label
        values["evidence_due"] = row.evidence_due_by.date().isoformat() if row.evidence_due_by else "—"
        values["date"] = row.opened_at.date().isoformat()
    return values


def _unapplied_notice_values(row) -> dict[str, str]:
    invoice = row.invoice
    return {
        "amount": row.display_amount,
        "date": row.created_at.date().isoformat(),
        "reason": str(row.get_reason_display()),
        "invoice_number": invoice.invoice_number if invoice else "—",
        "client_name": row.client.name if row.client else "—",
        "review_link": _admin_url("caseflow_reconciliation:index"),
        "firm_name": BillingSettings.for_site(row.site).get_firm_name() if row.site else "",
    }


def _send_unapplied_notice(pk: int) -> str:
    from .models import UnappliedPayment
    from .unapplied import UNAPPLIED_NOTICE

    row = UnappliedPayment.objects.select_related("site", "invoice", "client").filter(pk=pk).first()
    if row is None:
        return "gone"
    # The site whose Stripe account took the money: its billing contact is the one who can act.
    recipient = BillingSettings.for_site(row.site).billing_email if row.site else ""
    if not recipient:
        logger.warning("No billing email set: the unapplied payment %s notice was not sent", pk)
        return "no recipient"
    build_email(
        UNAPPLIED_NOTICE,
        _unapplied_notice_values(row),
        to=[recipient],
        metadata={"unapplied_id": str(row.pk)},
    ).send()
    return "sent"


def send_notice(kind: str, pk: int) -> str:
    """Email the firm's billing contact about a Stripe refund, dispute or payment set aside."""
    if kind == "stripe-unapplied":
        return _send_unapplied_notice(pk)
    model = StripeRefund if kind == REFUND_NOTICE else StripeDispute
    row = model.objects.select_related("invoice").filter(pk=pk).first()
    if row is None:
        return "gone"
    site = invoice_site(row.invoice.specific)
    recipient = BillingSettings.for_site(site).billing_email if site else ""
    if not recipient:
        logger.warning("No billing email set: the %s notice for %s was not sent", kind, row.stripe_id)
        return "no recipient"
    build_email(
        kind,
        notice_values(kind, row),
        to=[recipient],
        metadata={"invoice_id": str(row.invoice_id), "stripe_id": row.stripe_id},
    ).send()
    return "sent"


# -- webhook health --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LateSession:
    session: CheckoutSession
    minutes: int


def late_sessions(site: Site) -> list[LateSession]:
    """Clients who reached the success page a while ago, with no payment recorded from Stripe since."""
    from .models import InvoicePage

    late_after = datetime.timedelta(minutes=int(conf.get("WEBHOOK_LATE_AFTER_MINUTES")))
    now = timezone.now()
    invoices = InvoicePage.objects.descendant_of(site.root_page, inclusive=True).values("pk")
    sessions = CheckoutSession.objects.filter(
        invoice__in=invoices,
        success_page_seen_at__isnull=False,
        success_page_seen_at__lt=now - late_after,
        created_at__gt=now - datetime.timedelta(days=3),
    ).select_related("invoice")
    heard = set(
        StripeEvent.objects.filter(
            object_id__in=[session.stripe_id for session in sessions], outcome=EventOutcome.PROCESSED
        ).values_list("object_id", flat=True)
    )
    # The success page records the payment itself, so a payment is no sign that webhooks work: only an
    # event about the session is.
    return [
        LateSession(session, int((now - session.success_page_seen_at).total_seconds() // 60))
        for session in sessions
        if session.stripe_id not in heard and session.success_page_seen_at is not None
    ]


def webhook_health(site: Site, *, endpoint_status: str | None = None) -> dict[str, Any]:
    """What the health screen and the dashboard panel show for one site."""
    now = timezone.now()
    since = now - datetime.timedelta(hours=24)
    events = StripeEvent.objects.filter(site=site)
    last = events.order_by("-received_at").first()
    refusals = WebhookRefusal.objects.filter(site=site, last_at__gte=since)
    failed = events.filter(outcome=EventOutcome.FAILED).order_by("-received_at")
    return {
        "endpoint_status": endpoint_status,
        "last_event": last,
        "events_24h": events.filter(received_at__gte=since).count(),
        "signature_failures_24h": sum(row.count for row in refusals),
        "last_signature_failure": WebhookRefusal.objects.filter(site=site).order_by("-last_at").first(),
        "failed_events": list(failed[:50]),
        "failed_count": failed.count(),
        "late_sessions": late_sessions(site),
        "unapplied": list(unapplied.needing_review(site)[:50]),
        "last_sync": SyncRun.objects.filter(site=site).first(),
    }


def needs_attention(health: dict[str, Any]) -> bool:
    return bool(
        health["failed_count"]
        or health["signature_failures_24h"]
        or health["late_sessions"]
        or health["unapplied"]
        or health["endpoint_status"] in ("disabled", "missing")
    )
