"""Connecting a site to Stripe's webhooks: the endpoint URL, whether Stripe could reach it, and creating
or repairing the endpoint. Used by the admin's "Set up webhook" and by ``manage.py caseflow_stripe_setup``."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import conf, stripe_client
from ..exceptions import CaseflowError
from ..models import PaymentGatewaySettings
from ..stripe_api import StripeRequestRejected
from .registry import SUBSCRIBED_EVENTS


class WebhookUnreachable(CaseflowError):
    """Stripe could never deliver to this site's address; the endpoint must be set up by hand."""


def webhook_endpoint_url(site: Site) -> str:
    return site.root_url + reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})


def unreachable_reason(url: str, mode: str) -> str:
    """Why Stripe could never deliver to this URL (empty when it might).

    Stripe refuses endpoints on localhost, loopback and private addresses in test mode as well as live;
    live endpoints must also use HTTPS.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        private = host == "localhost" or host.endswith(
            (".localhost", ".local", ".test", ".internal", ".example")
        )
    else:
        private = not address.is_global
    if private:
        return not_public_message(url)
    if mode == "live" and parts.scheme != "https":
        return _("Live webhooks must use HTTPS; the site's address is %(url)s.") % {"url": url}
    return ""


def not_public_message(url: str) -> str:
    host = urlsplit(url).hostname or url
    return _(
        "Stripe cannot send webhooks to this site: %(host)s is not a public internet address, so Stripe "
        "refuses it as an endpoint (in test mode too). Set the endpoint up by hand where Stripe can reach "
        "the site, or forward events to it with the Stripe CLI, as below."
    ) % {"host": host}


def checked_by_stripe() -> bool:
    """Whether the address is judged here (real Stripe) or left to the local Stripe emulator, which
    refuses local addresses too unless it was started with ``--allow-local-webhooks``."""
    return not conf.get("STRIPE_API_BASE")


def setup_blocker(site: Site, gateway: PaymentGatewaySettings) -> str:
    """Why one-click setup cannot work for this site, known before asking Stripe (empty when it may)."""
    url = webhook_endpoint_url(site)
    if gateway.mode == "live" or checked_by_stripe():
        return unreachable_reason(url, gateway.mode)
    return ""


def connect_webhook(site: Site, gateway: PaymentGatewaySettings) -> str:
    """Create or repair the site's endpoint and store its id and secret; returns the endpoint id.

    Raises WebhookUnreachable, or StripeFailure when Stripe refuses or cannot be reached.
    """
    url = webhook_endpoint_url(site)
    reason = setup_blocker(site, gateway)
    if reason:
        raise WebhookUnreachable(reason)
    try:
        setup = stripe_client.for_site(gateway).ensure_webhook_endpoint(
            url, SUBSCRIBED_EVENTS, gateway.webhook_endpoint_id
        )
    except StripeRequestRejected as rejected:
        if rejected.param != "url":
            raise
        # Stripe (or a Stripe-strict emulator) judged the address unreachable: the same plain message.
        raise WebhookUnreachable(not_public_message(url)) from rejected
    gateway.webhook_endpoint_id = setup.endpoint_id
    if setup.secret:
        # The old endpoint was replaced, so its secret will sign nothing more.
        gateway.set_webhook_secret(setup.secret, keep_previous=False)
    gateway.save()
    return setup.endpoint_id
