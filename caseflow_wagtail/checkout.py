"""Pay Now: whether an invoice can be paid online, the amount a client may pay, and opening (or reusing)
the Stripe Checkout Session for it."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import money, stripe_api, stripe_client
from .exceptions import CaseflowError
from .fulfilment import checkout_metadata
from .gateway_form import render_description
from .models import CheckoutSession, CheckoutStatus, InvoicePage, PaymentGatewaySettings
from .models.settings import BillingSettings
from .signals import invoice_terms_changing

logger = logging.getLogger(__name__)

# Close to Stripe's shortest allowed expiry (30 minutes from when Stripe receives the request), so a client who
# leaves comes back to a fresh session and amount. The margin covers the request's own time and clock drift
# between this server and Stripe: exactly 30 minutes is refused whenever a second ticks over in between.
SESSION_LIFETIME = datetime.timedelta(minutes=32)
# Stripe refuses an idempotency key sent again with other parameters, so the expiry cannot follow the clock
# second by second: it is fixed for each window of this length, and so is the key (see open_checkout).
KEY_WINDOW = datetime.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class PayNow:
    """What the invoice page offers a client."""

    available: bool
    currency: str = ""
    balance: Decimal = Decimal(0)
    # The most of the balance Stripe can charge: all of it, except where Stripe's amounts are coarser than
    # the ledger's (10.005 KWD: 10.000 by card, the 0.005 left is settled another way).
    payable: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    amount_editable: bool = False
    step: str = "0.01"

    @property
    def remainder(self) -> Decimal:
        """What is owed but cannot be paid by card now."""
        return self.balance - self.payable

    @property
    def over_maximum(self) -> bool:
        """The balance is more than Stripe takes in one card payment (the rest can be paid after)."""
        return self.payable == money.maximum_charge(self.currency) and self.remainder > 0


def pay_now_for(invoice: InvoicePage, gateway: PaymentGatewaySettings | None) -> PayNow:
    if gateway is None or not invoice.is_payable:
        return PayNow(available=False)
    if not gateway.accepts_online_payments() or invoice.currency not in gateway.accepted_currencies():
        return PayNow(available=False)
    minimum = money.minimum_charge(invoice.currency)
    # The stored balance has the database's three places; the form shows the currency's own.
    balance = money.quantize(invoice.balance, invoice.currency)
    payable = min(money.chargeable_part(balance, invoice.currency), money.maximum_charge(invoice.currency))
    if payable < minimum:
        # Stripe cannot charge less than its minimum; such a remainder is settled another way.
        return PayNow(available=False)
    step = money.charge_step(invoice.currency)
    return PayNow(
        available=True,
        currency=invoice.currency,
        balance=balance,
        payable=payable,
        minimum=minimum,
        amount_editable=gateway.allow_amount_edit,
        step=str(step.normalize()) if step < 1 else "1",
    )


def clean_amount(pay_now: PayNow, raw: str | None) -> Decimal:
    """The amount to charge: what can be charged of the balance, or the client's amount when the firm
    allows it."""
    if not pay_now.amount_editable or raw in (None, ""):
        return pay_now.payable
    text = str(raw).strip()
    currency = pay_now.currency
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValidationError(_("Enter an amount greater than zero."))
    try:
        # Read in the client's language, and refused when it could be read two ways: "10,00" is
        # neither ten nor a thousand dollars to an English reader.
        amount = money.parse_amount(text)
    except ValueError:
        raise ValidationError(
            _("Enter an amount such as %(example)s.")
            % {"example": money.format_amount(pay_now.payable, currency)}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("Enter an amount greater than zero."))
    if amount > pay_now.balance:
        raise ValidationError(
            _("You can pay at most the balance due, %(balance)s.")
            % {"balance": money.format_money(pay_now.balance, currency)}
        )
    if amount > pay_now.payable and pay_now.over_maximum:
        raise ValidationError(
            _("One card payment can be at most %(maximum)s.")
            % {"maximum": money.format_money(pay_now.payable, currency)}
        )
    if not money.has_valid_precision(amount, currency):
        raise ValidationError(money.precision_message(currency))
    if not money.is_chargeable(amount, currency):
        raise ValidationError(money.charge_step_message(currency))
    if amount < pay_now.minimum:
        raise ValidationError(
            _("The smallest card payment is %(minimum)s.")
            % {"minimum": money.format_money(pay_now.minimum, currency)}
        )
    return money.quantize(amount, currency)


def _absolute(request: HttpRequest, name: str, invoice: InvoicePage) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"token": invoice.public_token}))


def open_checkout(
    request: HttpRequest, invoice: InvoicePage, gateway: PaymentGatewaySettings, site: Site, amount: Decimal
) -> str:
    """The hosted Checkout URL for this invoice and amount, reusing an open session for the same balance.

    Raises ``stripe_api.StripeFailure`` (nothing is stored then).
    """
    reusable = CheckoutSession.objects.filter(
        invoice=invoice, amount=amount, balance=invoice.balance, status=CheckoutStatus.OPEN
    ).first()
    if reusable is not None and reusable.is_reusable:
        return reusable.url
    # Two clicks racing each other count the same sessions, so they send the same key and Stripe answers
    # both with one session; once it is stored, the next new session gets a new key.
    generation = CheckoutSession.objects.filter(invoice=invoice).count()
    window = int(timezone.now().timestamp() // KEY_WINDOW.total_seconds())
    expires_at = int((window + 1) * KEY_WINDOW.total_seconds() + SESSION_LIFETIME.total_seconds())
    firm_name = BillingSettings.for_site(site).get_firm_name()
    params = stripe_api.checkout_session_params(
        amount_minor=money.to_minor_units(amount, invoice.currency),
        currency=invoice.currency,
        line_name=_("Invoice %(number)s") % {"number": invoice.invoice_number},
        customer_email=invoice.client.contact_email,
        description=render_description(gateway.description_template, invoice.invoice_number, firm_name),
        metadata=checkout_metadata(invoice, site),
        client_reference_id=f"invoice-{invoice.pk}",
        success_url=_absolute(request, "caseflow_wagtail:paid", invoice)
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=_absolute(request, "caseflow_wagtail:cancelled", invoice),
        expires_at=expires_at,
    )
    # Everything sent is in the key: a retry after a timeout (Stripe may have created the session) or a
    # double click in the same window gets Stripe's first answer back instead of an idempotency error.
    key = stripe_api.idempotency_key(
        "checkout", invoice.pk, invoice.balance, generation, json.dumps(params, sort_keys=True)
    )
    stripe = stripe_client.for_site(gateway, client_waiting=True)
    session = stripe.create_checkout_session(params, key)
    # Sessions for this invoice that are still open but no longer reusable are left to expire in Stripe.
    CheckoutSession.objects.filter(invoice=invoice, status=CheckoutStatus.OPEN).exclude(
        stripe_id=session["id"]
    ).update(status=CheckoutStatus.EXPIRED)
    try:
        with transaction.atomic():
            CheckoutSession.objects.get_or_create(
                stripe_id=session["id"],
                defaults={
                    "invoice": invoice,
                    "site": site,
                    "url": session["url"],
                    "amount": amount,
                    "currency": invoice.currency,
                    "balance": invoice.balance,
                    "livemode": bool(session.get("livemode")),
                    "expires_at": datetime.datetime.fromtimestamp(session["expires_at"], tz=datetime.UTC),
                },
            )
    except IntegrityError:
        pass  # stored by a concurrent click that got the same session
    return session["url"]


def expire_open_sessions(invoice: InvoicePage) -> int:
    """Close on Stripe every payment page still open for this invoice, before its price, currency or
    standing changes, so no client pays what the invoice no longer asks. Returns how many were closed.

    Raises ``CaseflowError`` (``StripeFailure``, ``ConfigurationError``) when Stripe cannot be asked;
    sessions not yet closed stay open here, and a payment made on one is still recorded (set aside when
    the invoice can no longer take it, see ``fulfilment.record_checkout_session``).
    """
    from .sites import invoice_site

    sessions = list(CheckoutSession.objects.filter(invoice=invoice, status=CheckoutStatus.OPEN))
    if not sessions:
        return 0
    stripe = stripe_client.for_site(invoice_site(invoice), client_waiting=True)
    closed = 0
    for session in sessions:
        # Refused when no longer open in Stripe: already expired, or paid a moment ago (its event records it).
        with contextlib.suppress(stripe_api.StripeRequestRejected):
            stripe.expire_checkout_session(session.stripe_id)
        closed += CheckoutSession.objects.filter(pk=session.pk, status=CheckoutStatus.OPEN).update(
            status=CheckoutStatus.EXPIRED
        )
    return closed


@receiver(invoice_terms_changing, dispatch_uid="caseflow_wagtail.expire_on_new_terms")
def expire_on_new_terms(sender, invoice: InvoicePage, **kwargs) -> None:
    try:
        expire_open_sessions(invoice)
    except CaseflowError as error:
        # Not refused: a payment still made on the old page is recorded, set aside for staff.
        logger.warning(
            "Open Checkout Sessions of invoice %s not expired: %s", invoice.pk, type(error).__name__
        )
