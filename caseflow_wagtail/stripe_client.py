"""A site's Stripe client: built here, and only here.

Each site has its own Stripe account. Every call to Stripe made for a site (Pay Now, the success page, the
sync, refunds, subscriptions, webhook setup, fees) goes through the client this returns, with that site's
secret key; only the Payment Gateways form, checking keys that are not saved yet, builds one itself.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.models import Site

from . import conf
from .exceptions import ConfigurationError
from .models import PaymentGatewaySettings
from .stripe_api import StripeGateway


def for_site(where: Site | PaymentGatewaySettings | None, *, client_waiting: bool = False) -> StripeGateway:
    """The Stripe client of this site (or of these gateway settings).

    ``client_waiting``: a person waits on the answer, so the call is bounded more tightly (see
    ``StripeGateway``). Raises ``ConfigurationError`` when there is no site or no secret key.
    """
    if where is None:
        raise ConfigurationError(_("No site is known, so no Stripe account either."))
    gateway = where if isinstance(where, PaymentGatewaySettings) else PaymentGatewaySettings.for_site(where)
    if not gateway.has_secret_key:
        raise conf.missing_secret("stripe_secret_key", getattr(gateway, "site", None))
    return StripeGateway(gateway.get_secret_key(), client_waiting=client_waiting)
