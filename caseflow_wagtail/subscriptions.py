"""Retainer subscriptions: set-up, Stripe's state kept in step, each paid cycle recorded as an invoice.

Views and webhook handlers call this module; it calls ``stripe_api`` for Stripe and ``ledger`` for money.
Every change a user asks for goes to Stripe first and is stored from Stripe's answer, so the row never claims
something Stripe did not do.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from functools import partial
from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log
from wagtail.models import Site

from . import ledger, mail, money, portal, stripe_api, stripe_client
from .exceptions import CaseflowError
from .fulfilment import SITE_KEY
from .models import (
    BillingSettings,
    Client,
    CycleStatus,
    InvoiceIndexPage,
    InvoiceLine,
    InvoicePage,
    PaymentGatewaySettings,
    PaymentMethod,
    PaymentSource,
    Subscription,
    SubscriptionCycle,
    SubscriptionStatus,
)
from .models.subscriptions import BILLING_STATUSES, FINAL_STATUSES, STRIPE_INTERVALS

logger = logging.getLogger(__name__)

SUBSCRIPTION_KEY = "caseflow_subscription_id"
# Stripe caps a Checkout Session at 24 hours; a setup link is our own URL, which opens a fresh session
# whenever the stored one has expired.
SETUP_SESSION_LIFETIME = datetime.timedelta(hours=23)
REUSE_MARGIN = datetime.timedelta(minutes=5)

CREATED = "caseflow_wagtail.subscription_created"
SETUP_SENT = "caseflow_wagtail.subscription_setup_sent"
STATUS_CHANGED = "caseflow_wagtail.subscription_status"
CANCEL_SCHEDULED = "caseflow_wagtail.subscription_cancel_scheduled"
CANCEL_UNDONE = "caseflow_wagtail.subscription_cancel_undone"
CANCELED = "caseflow_wagtail.subscription_canceled"
CHARGE_PAID = "caseflow_wagtail.subscription_charge_paid"
CHARGE_FAILED = "caseflow_wagtail.subscription_charge_failed"
ACTION_REQUIRED = "caseflow_wagtail.subscription_action_required"
CARD_CHANGED = "caseflow_wagtail.subscription_card_changed"

SETUP_TEMPLATE = "subscription-setup"
FAILED_TEMPLATE = "subscription-payment-failed"
FIRM_FAILED_TEMPLATE = "subscription-payment-failed-firm"
ACTION_TEMPLATE = "subscription-action-required"


class SubscriptionError(CaseflowError):
    """A subscription change was refused; ``str()`` is a message for staff."""


# -- helpers --------------------------------------------------------------------------------------------


def _timestamp(value: Any) -> datetime.datetime | None:
    if isinstance(value, int | float) and value:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    return None


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def gateway_settings(site: Site | None) -> PaymentGatewaySettings | None:
    return PaymentGatewaySettings.for_site(site) if site is not None else None


def stripe_for(site: Site | None) -> stripe_api.StripeGateway:
    if site is None:
        raise SubscriptionError(_("This subscription belongs to no site."))
    return stripe_client.for_site(site)


def site_url(site: Site | None, path: str) -> str:
    root = site.root_url if site is not None else ""
    return f"{root}{path}"


def public_url(subscription: Subscription, name: str) -> str:
    return site_url(
        subscription.site, reverse(f"caseflow_wagtail:{name}", kwargs={"token": subscription.public_token})
    )


def setup_link(subscription: Subscription) -> str:
    """The link the client follows to set up the card: ours, so it outlives any one Checkout Session."""
    return public_url(subscription, "subscription_setup")


def card_updates_allowed(subscription: Subscription) -> bool:
    gateway = gateway_settings(subscription.site)
    return bool(gateway and gateway.allow_card_update and subscription.card_updatable)


def card_update_link(subscription: Subscription) -> str:
    """The client's "Update card" link; empty when the firm does not allow it."""
    return public_url(subscription, "subscription_update_card") if card_updates_allowed(subscription) else ""


def subscription_metadata(subscription: Subscription) -> dict[str, str]:
    """What identifies a subscription to Stripe: ids only, never a name or a matter."""
    return {SUBSCRIPTION_KEY: str(subscription.pk), SITE_KEY: str(subscription.site_id or "")}


def find_subscription(site: Site, *, metadata: dict | None, stripe_id: str = "") -> Subscription | None:
    """Our subscription for a Stripe object, locked for the rest of the transaction; None when not ours."""
    metadata = metadata or {}
    rows = Subscription.objects.select_for_update()
    if str(metadata.get(SITE_KEY, "")) == str(site.pk) and str(metadata.get(SUBSCRIPTION_KEY, "")).isdigit():
        found = rows.filter(pk=int(metadata[SUBSCRIPTION_KEY]), site=site).first()
        if found is not None:
            return found
    if stripe_id:
        return rows.filter(stripe_subscription_id=stripe_id, site=site).first()
    return None


# -- creating and setting up --------------------------------------------------------------------------


def validate_terms(amount: Decimal, currency: str, gateway: PaymentGatewaySettings) -> str | None:
    """Why Stripe could not charge this amount every cycle; None when it can."""
    if currency not in gateway.accepted_currencies():
        return _("%(currency)s is not one of the accepted currencies.") % {"currency": currency}
    if not money.has_valid_precision(amount, currency):
        return money.precision_message(currency)
    if not money.is_chargeable(amount, currency):
        return money.charge_step_message(currency)
    minimum = money.minimum_charge(currency)
    if amount < minimum:
        return _("The smallest card charge is %(minimum)s.") % {
            "minimum": money.format_money(minimum, currency)
        }
    return None


def _ensure_customer(subscription: Subscription, api: stripe_api.StripeGateway) -> str:
    """The client's Stripe customer: the one we made before when Stripe still has it, else a new one."""
    client = Client.objects.select_for_update().get(pk=subscription.client_id)
    if client.stripe_customer_id and api.customer_exists(client.stripe_customer_id):
        return client.stripe_customer_id
    customer = api.create_customer(
        email=client.contact_email,
        metadata={"caseflow_client_id": str(client.pk), SITE_KEY: str(subscription.site_id or "")},
        key=stripe_api.idempotency_key(
            "customer", client.pk, subscription.site_id, client.stripe_customer_id
        ),
    )
    Client.objects.filter(pk=client.pk).update(stripe_customer_id=customer["id"])
    return customer["id"]


def _ensure_price(subscription: Subscription, api: stripe_api.StripeGateway) -> tuple[str, str]:
    """A recurring price for these terms: reused from an earlier subscription with the same terms."""
    same = (
        Subscription.objects.filter(
            site=subscription.site,
            amount=subscription.amount,
            currency=subscription.currency,
            interval=subscription.interval,
            description=subscription.description,
        )
        .exclude(stripe_price_id="")
        .exclude(pk=subscription.pk)
        .order_by("-pk")
        .first()
    )
    if same is not None:
        return same.stripe_product_id, same.stripe_price_id
    product = api.create_product(
        name=subscription.description,
        metadata={SITE_KEY: str(subscription.site_id or "")},
        key=stripe_api.idempotency_key("retainer-product", subscription.pk),
    )
    interval, count = STRIPE_INTERVALS[subscription.interval]
    price = api.create_recurring_price(
        product=product["id"],
        amount_minor=money.to_minor_units(subscription.amount, subscription.currency),
        currency=subscription.currency,
        interval=interval,
        interval_count=count,
        key=stripe_api.idempotency_key("retainer-price", subscription.pk),
    )
    return product["id"], price["id"]


def _open_setup_session(subscription: Subscription, api: stripe_api.StripeGateway) -> str:
    expires = timezone.now() + SETUP_SESSION_LIFETIME
    params = stripe_api.subscription_checkout_params(
        customer=subscription.stripe_customer_id,
        price=subscription.stripe_price_id,
        metadata=subscription_metadata(subscription),
        client_reference_id=f"subscription-{subscription.pk}",
        success_url=public_url(subscription, "subscription_setup_done") + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=public_url(subscription, "subscription"),
        expires_at=int(expires.timestamp()),
    )
    # The previous session's id makes the key: a retry reuses the session, an expired one gets a new one.
    key = stripe_api.idempotency_key(
        "retainer-setup", subscription.pk, subscription.stripe_checkout_session_id
    )
    session = api.create_checkout_session(params, key)
    subscription.stripe_checkout_session_id = session["id"]
    subscription.setup_session_url = session["url"]
    subscription.setup_session_expires_at = _timestamp(session.get("expires_at")) or expires
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_checkout_session_id=subscription.stripe_checkout_session_id,
        setup_session_url=subscription.setup_session_url,
        setup_session_expires_at=subscription.setup_session_expires_at,
    )
    return session["url"]


def create_subscription(
    *,
    client: Client,
    amount: Decimal,
    currency: str,
    interval: str,
    description: str,
    site: Site,
    user=None,
    send_email: bool = True,
) -> Subscription:
    """Create the subscription, the client's Stripe customer, the price and the setup Checkout Session.

    Raises ``stripe_api.StripeFailure`` or ``SubscriptionError``; nothing is kept then.
    """
    gateway = gateway_settings(site)
    if gateway is None or not gateway.has_secret_key:
        raise SubscriptionError(_("Configure Stripe in Settings → Payment Gateways first."))
    currency = money.normalize_currency(currency)
    refusal = validate_terms(amount, currency, gateway)
    if refusal:
        raise SubscriptionError(refusal)
    api = stripe_client.for_site(gateway)
    subscription = Subscription.objects.create(
        client=client,
        site=site,
        description=description.strip(),
        amount=money.quantize(amount, currency),
        currency=currency,
        interval=interval,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            subscription.stripe_customer_id = _ensure_customer(subscription, api)
            subscription.stripe_product_id, subscription.stripe_price_id = _ensure_price(subscription, api)
            subscription.save(update_fields=["stripe_customer_id", "stripe_product_id", "stripe_price_id"])
        _open_setup_session(subscription, api)
    except Exception:
        # Objects already made in Stripe (customer, price) are reused by the next attempt.
        subscription.delete()
        raise
    log(
        instance=subscription,
        action=CREATED,
        user=subscription.created_by,
        data={"amount": str(subscription.amount), "currency": currency, "interval": interval},
    )
    if send_email:
        send_setup_email(subscription, user=user)
    return subscription


def send_setup_email(subscription: Subscription, user=None) -> bool:
    """Email the setup link to the primary contact (after commit); False when there is no address."""
    if not subscription.client.contact_email:
        return False
    log(instance=subscription, action=SETUP_SENT, user=user, data={"to": subscription.client.contact_email})
    _enqueue_email(subscription, SETUP_TEMPLATE, [subscription.client.contact_email])
    return True


def checkout_url_for_setup(subscription: Subscription) -> str:
    """The hosted Checkout page for the setup link: the stored session while it lasts, else a new one."""
    if (
        subscription.setup_session_url
        and subscription.setup_session_expires_at
        and subscription.setup_session_expires_at > timezone.now() + REUSE_MARGIN
    ):
        return subscription.setup_session_url
    return _open_setup_session(subscription, stripe_for(subscription.site))


# -- Stripe's state, kept in step -----------------------------------------------------------------------


def _period_end(obj: dict[str, Any]) -> datetime.datetime | None:
    # Since API version 2025-03-31 the period lives on the subscription's items.
    items = ((obj.get("items") or {}).get("data")) or []
    if items and items[0].get("current_period_end"):
        return _timestamp(items[0]["current_period_end"])
    return _timestamp(obj.get("current_period_end"))


def _note_card(
    subscription: Subscription, payment_method_id: str, api: stripe_api.StripeGateway | None
) -> None:
    if not payment_method_id or payment_method_id == subscription.stripe_payment_method_id:
        return
    subscription.stripe_payment_method_id = payment_method_id
    try:
        card = (api or stripe_for(subscription.site)).retrieve_payment_method(payment_method_id).get(
            "card"
        ) or {}
    except stripe_api.StripeFailure as failure:
        # Brand and last four are a convenience for staff; the state itself must still be applied.
        logger.warning(
            "Card details for subscription %s not read: %s", subscription.pk, type(failure).__name__
        )
        card = {}
    had_card = bool(subscription.card_last4)
    subscription.card_brand = card.get("brand") or ""
    subscription.card_last4 = card.get("last4") or ""
    if had_card:
        log(instance=subscription, action=CARD_CHANGED, data={"card": subscription.card_display})


def apply_stripe_state(
    subscription: Subscription, obj: dict[str, Any], api: stripe_api.StripeGateway | None = None, user=None
) -> bool:
    """Store a Stripe subscription object's state on our row. Returns whether anything changed."""
    before = (
        subscription.status,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        subscription.canceled_at,
        subscription.stripe_payment_method_id,
        subscription.stripe_subscription_id,
    )
    if not subscription.stripe_subscription_id and obj.get("id"):
        subscription.stripe_subscription_id = obj["id"]
    status = obj.get("status") or subscription.status
    old_status = subscription.status
    if status in SubscriptionStatus.values and not (
        old_status in FINAL_STATUSES and status not in FINAL_STATUSES
    ):
        subscription.status = status
    subscription.current_period_end = _period_end(obj) or subscription.current_period_end
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    if subscription.status in FINAL_STATUSES:
        subscription.canceled_at = (
            _timestamp(obj.get("ended_at") or obj.get("canceled_at"))
            or subscription.canceled_at
            or timezone.now()
        )
    else:
        subscription.canceled_at = (
            _timestamp(obj.get("canceled_at")) if subscription.cancel_at_period_end else None
        )
    _note_card(subscription, _id(obj.get("default_payment_method")), api)
    after = (
        subscription.status,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        subscription.canceled_at,
        subscription.stripe_payment_method_id,
        subscription.stripe_subscription_id,
    )
    if after == before:
        return False
    subscription.save()
    if subscription.status != old_status:
        log(
            instance=subscription,
            action=STATUS_CHANGED,
            user=user,
            data={"from": old_status, "to": subscription.status},
        )
    return True


def _seen_state_as_of(subscription: Subscription, moment: datetime.datetime | None) -> None:
    """Remember how recent the stored state is, so an event from before it cannot roll it back."""
    if moment is not None and (subscription.last_event_at is None or moment > subscription.last_event_at):
        subscription.last_event_at = moment
        Subscription.objects.filter(pk=subscription.pk).update(last_event_at=moment)


def apply_subscription_event(site: Site, obj: dict[str, Any], event: dict[str, Any]) -> bool:
    """customer.subscription.*: apply the event's state unless the stored state may be newer.

    An event no newer than the stored state (older, or in the same whole second, which cannot be ordered
    from the payloads) never has its payload applied: Stripe is asked for the subscription as it is now.
    """
    subscription = find_subscription(site, metadata=obj.get("metadata"), stripe_id=obj.get("id") or "")
    if subscription is None:
        return False
    created = _timestamp(event.get("created"))
    last = subscription.last_event_at
    if created is not None and last is not None and created <= last:
        obj = stripe_for(site).retrieve_subscription(obj["id"])
    changed = apply_stripe_state(subscription, obj)
    _seen_state_as_of(subscription, created)
    return changed


def link_checkout_session(site: Site, session: dict[str, Any]) -> bool:
    """A completed subscription-mode Checkout Session: link the Stripe subscription it made."""
    if session.get("mode") != "subscription" or session.get("status") != "complete":
        return False
    subscription = find_subscription(site, metadata=session.get("metadata"))
    if subscription is None:
        return False
    stripe_id = _id(session.get("subscription"))
    if not stripe_id:
        return False
    if subscription.stripe_subscription_id and subscription.stripe_subscription_id != stripe_id:
        logger.warning("Subscription %s already linked to another Stripe subscription", subscription.pk)
        return False
    api = stripe_for(site)
    obj = session["subscription"] if isinstance(session.get("subscription"), dict) else None
    fetched_at = timezone.now()
    obj = obj or api.retrieve_subscription(stripe_id)
    subscription.stripe_subscription_id = stripe_id
    changed = apply_stripe_state(subscription, obj, api)
    if not isinstance(session.get("subscription"), dict):
        # Read from Stripe just now: any event created before this moment is older than what is stored.
        _seen_state_as_of(subscription, fetched_at)
    return changed


# -- cycles: paid invoices and failed charges -----------------------------------------------------------


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str, dict]:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    stripe_id = _id(details.get("subscription")) or _id(invoice.get("subscription"))
    return stripe_id, details.get("metadata") or {}


def _line_period(invoice: dict[str, Any]) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    lines = ((invoice.get("lines") or {}).get("data")) or []
    period = (lines[0].get("period") if lines else None) or {}
    start = period.get("start") or invoice.get("period_start")
    end = period.get("end") or invoice.get("period_end")
    return _timestamp(start), _timestamp(end)


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
    from .forms import suggest_invoice_number

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
    paid_at = _timestamp((stripe_invoice.get("status_transitions") or {}).get("paid_at")) or timezone.now()
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
        action=CHARGE_PAID,
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
    created = _timestamp(event.get("created"))
    fresh = created is None or subscription.last_event_at is None or created >= subscription.last_event_at
    # Stripe follows with customer.subscription.updated; this only makes the notice appear at once.
    if fresh and subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        old = subscription.status
        subscription.status = SubscriptionStatus.PAST_DUE
        log(instance=subscription, action=STATUS_CHANGED, data={"from": old, "to": subscription.status})
    subscription.payment_failed_at = timezone.now()
    subscription.save(update_fields=["status", "payment_failed_at", "updated_at"])
    log(
        instance=subscription,
        action=CHARGE_FAILED,
        data={"stripe_invoice": cycle.stripe_invoice_id, "attempt": cycle.attempt_count},
    )
    if subscription.client.contact_email:
        _enqueue_email(subscription, FAILED_TEMPLATE, [subscription.client.contact_email])
    firm_email = BillingSettings.for_site(site).billing_email
    if firm_email:
        _enqueue_email(subscription, FIRM_FAILED_TEMPLATE, [firm_email])
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
    log(instance=subscription, action=ACTION_REQUIRED, data={"stripe_invoice": cycle.stripe_invoice_id})
    link = _hosted_invoice_url(site, stripe_invoice) or card_update_link(subscription)
    if subscription.client.contact_email:
        _enqueue_email(
            subscription,
            ACTION_TEMPLATE,
            [subscription.client.contact_email],
            {"authenticate_link": link or ""},
        )
    return True


# -- managing: Stripe first, then Stripe's answer -------------------------------------------------------


def _change_key(action: str, subscription: Subscription) -> str:
    # The row's version: a double click repeats the request, a later change (undo, then cancel again) is new.
    return stripe_api.idempotency_key(
        action, subscription.stripe_subscription_id, subscription.updated_at.isoformat()
    )


def _refuse_unless_cancellable(subscription: Subscription) -> None:
    if not subscription.can_cancel:
        raise SubscriptionError(_("This subscription has no active Stripe subscription to change."))


def cancel_at_period_end(subscription: Subscription, user=None) -> Subscription:
    _refuse_unless_cancellable(subscription)
    api = stripe_for(subscription.site)
    asked_at = timezone.now()
    answer = api.update_subscription(
        subscription.stripe_subscription_id,
        {"cancel_at_period_end": True},
        _change_key("cancel-at-period-end", subscription),
    )
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        apply_stripe_state(locked, answer, api, user=user)
        _seen_state_as_of(locked, asked_at)
        log(
            instance=locked, action=CANCEL_SCHEDULED, user=user, data={"ends": str(locked.current_period_end)}
        )
    return locked


def undo_cancellation(subscription: Subscription, user=None) -> Subscription:
    _refuse_unless_cancellable(subscription)
    if not subscription.cancel_at_period_end:
        raise SubscriptionError(_("No cancellation is pending."))
    api = stripe_for(subscription.site)
    asked_at = timezone.now()
    answer = api.update_subscription(
        subscription.stripe_subscription_id,
        {"cancel_at_period_end": False},
        _change_key("undo-cancel", subscription),
    )
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        apply_stripe_state(locked, answer, api, user=user)
        _seen_state_as_of(locked, asked_at)
        log(instance=locked, action=CANCEL_UNDONE, user=user)
    return locked


def cancel_now(subscription: Subscription, user=None) -> Subscription:
    _refuse_unless_cancellable(subscription)
    api = stripe_for(subscription.site)
    asked_at = timezone.now()
    answer = api.cancel_subscription(subscription.stripe_subscription_id, _change_key("cancel", subscription))
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        apply_stripe_state(locked, answer, api, user=user)
        _seen_state_as_of(locked, asked_at)
        log(instance=locked, action=CANCELED, user=user)
    return locked


def portal_url(subscription: Subscription, return_url: str) -> str:
    """A Stripe billing-portal page where the client replaces the card, coming back to ``return_url``."""
    if subscription.site is None:
        raise SubscriptionError(_("This subscription belongs to no site."))
    return portal.session_url(
        subscription.site,
        stripe_for(subscription.site),
        customer=subscription.stripe_customer_id,
        return_url=return_url,
    )


def subscription_for_invoice_card_update(invoice: InvoicePage, gateway: PaymentGatewaySettings | None):
    """The client's subscription whose card an invoice page may offer to update; None when it may not."""
    if gateway is None or not gateway.allow_card_update:
        return None
    return (
        Subscription.objects.filter(client_id=invoice.client_id, status__in=BILLING_STATUSES)
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .first()
    )


# -- emails ---------------------------------------------------------------------------------------------


def email_values(subscription: Subscription) -> dict[str, str]:
    client = subscription.client
    site = subscription.site
    admin_base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return {
        "client_name": client.name,
        "contact_name": client.contact_name or client.name,
        "firm_name": BillingSettings.for_site(site).get_firm_name() if site else "",
        "amount": subscription.display_amount,
        "interval": str(subscription.get_interval_display()),
        "description": subscription.description,
        "setup_link": setup_link(subscription),
        "subscription_link": public_url(subscription, "subscription"),
        "update_card_link": card_update_link(subscription),
        "admin_link": admin_base + reverse("caseflow_subscriptions:inspect", args=[subscription.pk]),
    }


def build_email(
    subscription: Subscription, slug: str, to: list[str], extra: dict[str, str]
) -> AnymailMessage:
    reply_to = BillingSettings.for_site(subscription.site).billing_email if subscription.site else ""
    return mail.build_email(
        slug,
        {**email_values(subscription), **extra},
        to=to,
        reply_to=reply_to,
        metadata={"subscription_id": str(subscription.pk)},
    )


@task()
def send_subscription_email(subscription_id: int, slug: str, to: list[str], extra: dict[str, str]) -> str:
    subscription = Subscription.objects.select_related("client", "site").get(pk=subscription_id)
    try:
        build_email(subscription, slug, to, extra).send()
    except Exception as error:
        # A mail failure never undoes what Stripe told us; the firm sees the state in the admin.
        logger.warning(
            "Subscription email %s for %s not sent: %s", slug, subscription_id, type(error).__name__
        )
        return "failed"
    return "sent"


def _enqueue_email(
    subscription: Subscription, slug: str, to: list[str], extra: dict[str, str] | None = None
) -> None:
    transaction.on_commit(partial(send_subscription_email.enqueue, subscription.pk, slug, to, extra or {}))
