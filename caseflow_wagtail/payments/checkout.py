"""Pay Now's Checkout: opening (or reusing) the Stripe Checkout Session for an invoice, and closing the open
ones when its terms change. What can be paid is decided in ``pay_now``."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import money, stripe_api, stripe_client
from ..exceptions import CaseflowError
from ..gateway_form import render_description
from ..models import CheckoutSession, CheckoutStatus, InvoicePage, PaymentGatewaySettings
from ..models.settings import BillingSettings
from ..signals import invoice_terms_changing
from .fulfilment import checkout_metadata

logger = logging.getLogger(__name__)

# Close to Stripe's shortest allowed expiry (30 minutes from when Stripe receives the request), so a client who
# leaves comes back to a fresh session and amount. The margin covers the request's own time and clock drift
# between this server and Stripe: exactly 30 minutes is refused whenever a second ticks over in between.
SESSION_LIFETIME = datetime.timedelta(minutes=32)
# Stripe refuses an idempotency key sent again with other parameters, so the expiry cannot follow the clock
# second by second: it is fixed for each window of this length, and so is the key (see open_checkout).
KEY_WINDOW = datetime.timedelta(minutes=5)


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
        lines=[
            (
                _("Invoice %(number)s") % {"number": invoice.invoice_number},
                money.to_minor_units(amount, invoice.currency),
            )
        ],
        currency=invoice.currency,
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
    from ..invoices.sites import invoice_site

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
