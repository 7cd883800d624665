"""Each billing cycle: a paid Stripe invoice becomes an invoice page with its payment; a failed one is noted."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit, ledger, money, stripe_api
from ..models import (
    BillingSettings,
    CycleStatus,
    InvoiceIndexPage,
    InvoiceLine,
    InvoicePage,
    PaymentMethod,
    PaymentSource,
    Subscription,
    SubscriptionCycle,
    SubscriptionStatus,
)
from .common import (
    ACTION_TEMPLATE,
    FAILED_TEMPLATE,
    FIRM_FAILED_TEMPLATE,
    SubscriptionError,
    card_update_link,
    find_subscription,
    object_id,
    stripe_for,
    to_datetime,
)
from .emails import enqueue_email

logger = logging.getLogger(__name__)


# -- cycles: paid invoices and failed charges -----------------------------------------------------------


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str, dict]:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    stripe_id = object_id(details.get("subscription")) or object_id(invoice.get("subscription"))
    return stripe_id, details.get("metadata") or {}


def _line_period(invoice: dict[str, Any]) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    lines = ((invoice.get("lines") or {}).get("data")) or []
    period = (lines[0].get("period") if lines else None) or {}
    start = period.get("start") or invoice.get("period_start")
    end = period.get("end") or invoice.get("period_end")
    return to_datetime(start), to_datetime(end)


def period_label(start: datetime.datetime | None, end: datetime.datetime | None) -> str:
    if start is None:
        return ""
    if end is None or end <= start:
        return start.date().isoformat()
    # The period's last day, not the instant the next one starts.
    last_day = (end - datetime.timedelta(seconds=1)).date()
    return _("%(start)s to %(end)s") % {"start": start.date().isoformat(), "end": last_day.isoformat()}


def _invoices_folder(site: Site) -> InvoiceIndexPage:
    root = site.root_page
    folder = InvoiceIndexPage.objects.descendant_of(root).order_by("path").first()
    if folder is None:
        taken = set(root.get_children().values_list("slug", flat=True))
        slug, suffix = "invoices", 1
        while slug in taken:
            suffix += 1
            slug = f"invoices-{suffix}"
        folder = InvoiceIndexPage(title=_("Invoices"), slug=slug)
        root.add_child(instance=folder)
    # Held until commit, so two cycles recorded at once cannot take the same invoice number.
    return InvoiceIndexPage.objects.select_for_update().get(pk=folder.pk)


def _create_cycle_invoice(
    subscription: Subscription, amount: Decimal, currency: str, paid_on: datetime.date, label: str
) -> InvoicePage:
    from ..invoices.forms import suggest_invoice_number

    folder = _invoices_folder(subscription.site)
    number = suggest_invoice_number(folder, InvoicePage)
    invoice = InvoicePage(
        invoice_number=number,
        client=subscription.client,
        issue_date=paid_on,
        due_date=paid_on,
        currency=currency,
        live=False,
    )
    invoice.lines.add(
        InvoiceLine(
            description=_("Retainer %(period)s") % {"period": label},
            quantity=Decimal(1),
            unit_price=amount,
        )
    )
    folder.add_child(instance=invoice)
    invoice.save_revision().publish()
    invoice.refresh_from_db()
    return invoice


def record_paid_invoice(
    site: Site, stripe_invoice: dict[str, Any], *, source: str = PaymentSource.WEBHOOK
) -> bool:
    """invoice.paid: one invoice page per Stripe invoice, its payment through the ledger, a receipt."""
    stripe_id, metadata = _invoice_subscription(stripe_invoice)
    if not stripe_id:
        return False
    subscription = find_subscription(site, metadata=metadata, stripe_id=stripe_id)
    if subscription is None:
        return False
    currency = (stripe_invoice.get("currency") or subscription.currency).upper()
    amount = money.from_minor_units(int(stripe_invoice.get("amount_paid") or 0), currency)
    start, end = _line_period(stripe_invoice)
    cycle, created = SubscriptionCycle.objects.select_for_update().get_or_create(
        stripe_invoice_id=stripe_invoice["id"],
        defaults={
            "subscription": subscription,
            "status": CycleStatus.PAID,
            "amount": amount,
            "currency": currency,
            "period_start": start,
            "period_end": end,
            "attempt_count": int(stripe_invoice.get("attempt_count") or 0),
        },
    )
    if not created and (cycle.invoice_id is not None or cycle.status == CycleStatus.PAID):
        return False  # a duplicate, or a late twin: this cycle is already in the books
    if not subscription.stripe_subscription_id:
        subscription.stripe_subscription_id = stripe_id
        Subscription.objects.filter(pk=subscription.pk).update(stripe_subscription_id=stripe_id)
    cycle.status = CycleStatus.PAID
    cycle.attempt_count = int(stripe_invoice.get("attempt_count") or cycle.attempt_count)
    cycle.failure_message = ""
    if amount <= 0:
        cycle.save()
        return True  # a trial: nothing was charged, so there is nothing to invoice
    paid_at = to_datetime((stripe_invoice.get("status_transitions") or {}).get("paid_at")) or timezone.now()
    paid_on = paid_at.date()
    invoice = _create_cycle_invoice(subscription, amount, currency, paid_on, period_label(start, end))
    payment_intent = stripe_for(site).invoice_payment_intent(stripe_invoice["id"])
    recorded = ledger.record_payment(
        invoice,
        amount=amount,
        currency=currency,
        method=PaymentMethod.CARD,
        source=source,
        received_on=paid_on,
        reference=invoice.invoice_number,
        stripe_payment_intent_id=payment_intent,
    )
    cycle.invoice = invoice
    cycle.save()
    if subscription.payment_failed_at is not None:
        Subscription.objects.filter(pk=subscription.pk).update(payment_failed_at=None)
    log(
        instance=subscription,
        action=audit.CHARGE_PAID,
        data={
            "amount": str(amount),
            "currency": currency,
            "invoice_id": invoice.pk,
            "invoice_number": invoice.invoice_number,
            "payment_id": recorded.entry.pk,
        },
    )
    return True


def _note_unpaid(
    site: Site, stripe_invoice: dict[str, Any], event: dict[str, Any], status: str
) -> tuple[Subscription, SubscriptionCycle] | None:
    """Record a failed or unauthenticated attempt once; None when it is not ours or already known."""
    stripe_id, metadata = _invoice_subscription(stripe_invoice)
    if not stripe_id:
        return None
    subscription = find_subscription(site, metadata=metadata, stripe_id=stripe_id)
    if subscription is None:
        return None
    currency = (stripe_invoice.get("currency") or subscription.currency).upper()
    attempts = int(stripe_invoice.get("attempt_count") or 0)
    start, end = _line_period(stripe_invoice)
    cycle, created = SubscriptionCycle.objects.select_for_update().get_or_create(
        stripe_invoice_id=stripe_invoice["id"],
        defaults={
            "subscription": subscription,
            "status": status,
            "amount": money.from_minor_units(int(stripe_invoice.get("amount_due") or 0), currency),
            "currency": currency,
            "period_start": start,
            "period_end": end,
            "attempt_count": attempts,
        },
    )
    if not created:
        if cycle.status == CycleStatus.PAID or (attempts <= cycle.attempt_count and cycle.status == status):
            return None  # paid since, or this attempt was already noted
        cycle.status = status
        cycle.attempt_count = max(attempts, cycle.attempt_count)
        cycle.save(update_fields=["status", "attempt_count", "updated_at"])
    return subscription, cycle


def record_failed_payment(site: Site, stripe_invoice: dict[str, Any], event: dict[str, Any]) -> bool:
    """invoice.payment_failed: Past Due, an admin notice, and emails to the firm and the client."""
    noted = _note_unpaid(site, stripe_invoice, event, CycleStatus.FAILED)
    if noted is None:
        return False
    subscription, cycle = noted
    created = to_datetime(event.get("created"))
    fresh = created is None or subscription.last_event_at is None or created >= subscription.last_event_at
    # Stripe follows with customer.subscription.updated; this only makes the notice appear at once.
    if fresh and subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        old = subscription.status
        subscription.status = SubscriptionStatus.PAST_DUE
        log(instance=subscription, action=audit.STATUS_CHANGED, data={"from": old, "to": subscription.status})
    subscription.payment_failed_at = timezone.now()
    subscription.save(update_fields=["status", "payment_failed_at", "updated_at"])
    log(
        instance=subscription,
        action=audit.CHARGE_FAILED,
        data={"stripe_invoice": cycle.stripe_invoice_id, "attempt": cycle.attempt_count},
    )
    if subscription.client.contact_email:
        enqueue_email(subscription, FAILED_TEMPLATE, [subscription.client.contact_email])
    firm_email = BillingSettings.for_site(site).billing_email
    if firm_email:
        enqueue_email(subscription, FIRM_FAILED_TEMPLATE, [firm_email])
    return True


def _hosted_invoice_url(site: Site, stripe_invoice: dict[str, Any]) -> str:
    """Stripe's hosted invoice page, where the client confirms the payment with the bank and pays.

    Stripe sets it when the invoice is finalised; an event's copy may predate that or be trimmed, so the
    invoice is fetched when the event lacks it. Empty when Stripe cannot be asked.
    """
    url = stripe_invoice.get("hosted_invoice_url")
    if url or not stripe_invoice.get("id"):
        return url or ""
    try:
        return stripe_for(site).retrieve_invoice(stripe_invoice["id"]).get("hosted_invoice_url") or ""
    except (stripe_api.StripeFailure, SubscriptionError):
        logger.warning("Could not fetch the hosted invoice page of %s", stripe_invoice["id"])
        return ""


def record_action_required(site: Site, stripe_invoice: dict[str, Any], event: dict[str, Any]) -> bool:
    """invoice.payment_action_required: email the client where to confirm the payment with the bank."""
    noted = _note_unpaid(site, stripe_invoice, event, CycleStatus.ACTION_REQUIRED)
    if noted is None:
        return False
    subscription, cycle = noted
    log(instance=subscription, action=audit.ACTION_REQUIRED, data={"stripe_invoice": cycle.stripe_invoice_id})
    link = _hosted_invoice_url(site, stripe_invoice) or card_update_link(subscription)
    if subscription.client.contact_email:
        enqueue_email(
            subscription,
            ACTION_TEMPLATE,
            [subscription.client.contact_email],
            {"authenticate_link": link or ""},
        )
    return True
