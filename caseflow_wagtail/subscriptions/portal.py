"""The plugin's own Stripe customer-portal configuration: card update only, one per site.

Stripe refuses a portal session without ``configuration`` on an account whose portal settings were never
saved in the Dashboard, and the Dashboard's default may offer clients far more than a law firm wants
(cancelling a retainer, changing plans). So each site keeps its own configuration, made through the API
with only ``payment_method_update`` switched on, and names it on every portal session. It is brought up
to date when the firm's name or the site's address change, and made again when Stripe no longer has it
(a deleted one, or a secret key of another account).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from wagtail.models import Site

from ..models import BillingSettings, PaymentGatewaySettings
from ..stripe_api import StripeGateway, StripeRequestRejected, idempotency_key

# Every feature a configuration can offer, and the one the plugin offers.
_OFF = ("customer_update", "invoice_history", "subscription_cancel", "subscription_update")


def configuration_params(site: Site) -> dict[str, Any]:
    """What the site's portal configuration should say: the card, nothing else."""
    firm = BillingSettings.for_site(site).firm_name or site.site_name or ""
    headline = (
        _("%(firm)s: update the card used for your payments") % {"firm": firm}
        if firm
        else _("Update the card used for your payments")
    )
    features: dict[str, Any] = {name: {"enabled": False} for name in _OFF}
    features["payment_method_update"] = {"enabled": True}
    return {
        "business_profile": {"headline": headline[:60]},
        "default_return_url": site.root_url,
        "features": features,
        "metadata": {"caseflow_wagtail": "card-update", "site": str(site.pk)},
    }


def _digest(secret_key: str, params: dict[str, Any]) -> str:
    # Keyed on the secret key too, so a key of another account makes the plugin check its configuration.
    payload = secret_key + "\x1f" + json.dumps(params, sort_keys=True)
    return salted_hmac("caseflow_wagtail.portal", payload).hexdigest()


def configuration_id(site: Site, api: StripeGateway, *, refresh: bool = False) -> str:
    """The id of the site's portal configuration, created or updated in Stripe only when needed."""
    params = configuration_params(site)
    with transaction.atomic():
        # Locked so two clients opening the portal at once make one configuration, not two.
        gateway = PaymentGatewaySettings.objects.select_for_update().get(
            pk=PaymentGatewaySettings.for_site(site).pk
        )
        digest = _digest(gateway.get_secret_key(), params)
        if gateway.portal_configuration_id and gateway.portal_configuration_digest == digest and not refresh:
            return gateway.portal_configuration_id
        found = api.ensure_portal_configuration(
            params,
            known_id=gateway.portal_configuration_id,
            key=idempotency_key("portal-configuration", site.pk, digest, gateway.portal_configuration_id),
        )
        gateway.portal_configuration_id = found
        gateway.portal_configuration_digest = digest
        gateway.save(update_fields=["portal_configuration_id", "portal_configuration_digest"])
        return found


def session_url(site: Site, api: StripeGateway, *, customer: str, return_url: str) -> str:
    """A portal page where the client replaces the card, coming back to ``return_url``."""
    configuration = configuration_id(site, api)
    try:
        session = api.create_portal_session(
            customer=customer, return_url=return_url, configuration=configuration
        )
    except StripeRequestRejected as rejected:
        if rejected.param != "configuration":
            raise
        # Gone or switched off in the Dashboard since it was stored: make it right once, then retry.
        configuration = configuration_id(site, api, refresh=True)
        session = api.create_portal_session(
            customer=customer, return_url=return_url, configuration=configuration
        )
    return session["url"]
