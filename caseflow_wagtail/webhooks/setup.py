"""Connecting a site to Stripe's webhooks: the endpoint URL, whether Stripe could reach it, and creating
or repairing the endpoint. Used by the admin's "Set up webhook" and by ``manage.py caseflow_stripe_setup``."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from ..exceptions import CaseflowError
from ..models import PaymentGatewaySettings
from ..stripe_api import StripeGateway
from .registry import SUBSCRIBED_EVENTS


class WebhookUnreachable(CaseflowError):
    """Stripe could never deliver to this site's address; the endpoint must be set up by hand."""


def webhook_endpoint_url(site: Site) -> str:
    return site.root_url + reverse("caseflow_wagtail:stripe_webhook", kwargs={"site_pk": site.pk})


def unreachable_reason(url: str, mode: str) -> str:
    """Why Stripe could never deliver to this URL in live mode (empty when it might)."""
    if mode != "live":
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        return _("Live webhooks must use HTTPS; the site's address is %(url)s.") % {"url": url}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        private = host == "localhost" or host.endswith(
            (".localhost", ".local", ".test", ".internal", ".example")
        )
    else:
        private = not address.is_global
    if private:
        return _("Stripe cannot reach %(host)s from the internet.") % {"host": host}
    return ""


def connect_webhook(site: Site, gateway: PaymentGatewaySettings) -> str:
    """Create or repair the site's endpoint and store its id and secret; returns the endpoint id.

    Raises WebhookUnreachable, or StripeFailure when Stripe refuses or cannot be reached.
    """
    url = webhook_endpoint_url(site)
    reason = unreachable_reason(url, gateway.mode)
    if reason:
        raise WebhookUnreachable(reason)
    setup = StripeGateway(gateway.get_secret_key()).ensure_webhook_endpoint(
        url, SUBSCRIBED_EVENTS, gateway.webhook_endpoint_id
    )
    gateway.webhook_endpoint_id = setup.endpoint_id
    if setup.secret:
        # The old endpoint was replaced, so its secret will sign nothing more.
        gateway.set_webhook_secret(setup.secret, keep_previous=False)
    gateway.save()
    return setup.endpoint_id
