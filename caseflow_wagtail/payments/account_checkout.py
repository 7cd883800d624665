"""Opening (or reusing) the Checkout Session that pays several of a client's invoices at once, and closing
the open ones when one of those invoices changes its terms. What is paid is decided in
``accounts.pay_several``; what is recorded, in ``payments.combined``."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
from decimal import Decimal

from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import money, stripe_api, stripe_client
from ..accounts.pay_several import Plan
from ..exceptions import CaseflowError
from ..gateway_form import render_description
from ..models import AccountCheckout, AccountCheckoutLine, CheckoutStatus, Client, PaymentGatewaySettings
from ..models.settings import BillingSettings
from ..signals import invoice_terms_changing
from .checkout import KEY_WINDOW, SESSION_LIFETIME
from .fulfilment import ACCOUNT_CHECKOUT_KEY, SITE_KEY

logger = logging.getLogger(__name__)


def _plan_of(checkout: AccountCheckout) -> list[tuple[int, Decimal, Decimal]]:
    return [(line.invoice_id, line.amount, line.balance) for line in checkout.lines.all()]


def _reusable(client: Client, site: Site, plan: Plan) -> AccountCheckout | None:
    wanted = [(share.invoice.pk, share.amount, share.invoice.balance) for share in plan.shares]
    candidates = AccountCheckout.objects.filter(
        client=client, site=site, currency=plan.currency, amount=plan.total, status=CheckoutStatus.OPEN
    ).prefetch_related("lines")
    for checkout in candidates:
        if checkout.is_reusable and _plan_of(checkout) == wanted:
            return checkout
    return None


def _url(request: HttpRequest, name: str, client: Client) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"token": client.account_token}))


def open_account_checkout(
    request: HttpRequest, client: Client, site: Site, gateway: PaymentGatewaySettings, plan: Plan
) -> str:
    """The hosted Checkout URL for ``plan``, reusing an open session for the same invoices, shares and
    balances.

    The plan is stored before Stripe is asked, under a reference the session's metadata names, so every
    path that learns of the payment (either event, the success page, the sync) finds what to record.
    Raises ``stripe_api.StripeFailure``; nothing is left open then.
    """
    reusable = _reusable(client, site, plan)
    if reusable is not None:
        return reusable.url
    with transaction.atomic():
        checkout = AccountCheckout.objects.create(
            client=client, site=site, amount=plan.total, currency=plan.currency
        )
        AccountCheckoutLine.objects.bulk_create(
            AccountCheckoutLine(
                checkout=checkout,
                invoice=share.invoice,
                amount=share.amount,
                balance=share.invoice.balance,
                position=position,
            )
            for position, share in enumerate(plan.shares)
        )
    window = int(timezone.now().timestamp() // KEY_WINDOW.total_seconds())
    expires_at = int((window + 1) * KEY_WINDOW.total_seconds() + SESSION_LIFETIME.total_seconds())
    numbers = ", ".join(share.invoice.invoice_number for share in plan.shares)
    firm_name = BillingSettings.for_site(site).get_firm_name()
    params = stripe_api.checkout_session_params(
        # One line per invoice, named by its number only: nothing confidential goes to Stripe.
        lines=[
            (
                _("Invoice %(number)s") % {"number": share.invoice.invoice_number},
                money.to_minor_units(share.amount, plan.currency),
            )
            for share in plan.shares
        ],
        currency=plan.currency,
        customer_email=client.contact_email,
        description=render_description(gateway.description_template, numbers, firm_name)[:1000],
        metadata={SITE_KEY: str(site.pk), ACCOUNT_CHECKOUT_KEY: str(checkout.reference)},
        client_reference_id=f"account-{client.pk}",
        success_url=_url(request, "caseflow_wagtail:account_paid", client)
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=_url(request, "caseflow_wagtail:account_cancelled", client),
        expires_at=expires_at,
    )
    # The reference is in the key: a retry of this request gets Stripe's first answer, never a new session.
    key = stripe_api.idempotency_key(
        "account-checkout", checkout.reference, json.dumps(params, sort_keys=True)
    )
    try:
        session = stripe_client.for_site(gateway, client_waiting=True).create_checkout_session(params, key)
    except CaseflowError:
        checkout.delete()
        raise
    checkout.stripe_id = session["id"]
    checkout.url = session["url"]
    checkout.livemode = bool(session.get("livemode"))
    checkout.expires_at = datetime.datetime.fromtimestamp(session["expires_at"], tz=datetime.UTC)
    checkout.save(update_fields=["stripe_id", "url", "livemode", "expires_at"])
    # Older open sessions of this client stay payable in Stripe until they expire; they are not reused.
    AccountCheckout.objects.filter(client=client, site=site, status=CheckoutStatus.OPEN).exclude(
        pk=checkout.pk
    ).update(status=CheckoutStatus.EXPIRED)
    return session["url"]


def expire_account_checkouts(invoice) -> int:
    """Close on Stripe every open account checkout that would pay ``invoice``, before its terms change.

    Raises ``CaseflowError`` when Stripe cannot be asked (a payment still made on one is set aside for
    staff, see ``payments.combined``)."""
    from ..invoices.sites import invoice_site

    checkouts = list(
        AccountCheckout.objects.filter(status=CheckoutStatus.OPEN, lines__invoice=invoice).exclude(
            stripe_id=""
        )
    )
    if not checkouts:
        return 0
    stripe = stripe_client.for_site(invoice_site(invoice), client_waiting=True)
    closed = 0
    for checkout in checkouts:
        with contextlib.suppress(stripe_api.StripeRequestRejected):
            stripe.expire_checkout_session(checkout.stripe_id)
        closed += AccountCheckout.objects.filter(pk=checkout.pk, status=CheckoutStatus.OPEN).update(
            status=CheckoutStatus.EXPIRED
        )
    return closed


@receiver(invoice_terms_changing, dispatch_uid="caseflow_wagtail.expire_account_checkouts")
def expire_on_new_terms(sender, invoice, **kwargs) -> None:
    try:
        expire_account_checkouts(invoice)
    except CaseflowError as error:
        logger.warning(
            "Open account checkouts with invoice %s not expired: %s", invoice.pk, type(error).__name__
        )
