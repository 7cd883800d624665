"""Which webhook endpoint URLs Stripe accepts: only ones it could reach from the internet.

Stripe refuses endpoints on localhost, loopback and private addresses, in test mode too (locally, the
Stripe CLI's ``stripe listen --forward-to <url>`` stands in). The emulator does the same unless it was
started with ``allow_local_webhooks`` (``--allow-local-webhooks``), which the demo and the test suites
set so that signed deliveries can reach a server on this machine.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ._errors import StripeApiError, invalid

# Our wording of Stripe's refusal (param ``url``); the exact text Stripe sends was not found in its docs.
NOT_PUBLIC = (
    "Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to test "
    "webhooks locally: https://github.com/stripe/stripe-cli"
)


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_url(url: str, allow_local: bool) -> None:
    """Raise Stripe's 400 for a URL it would not accept as a webhook endpoint."""
    if not re.match(r"https?://[^\s/]+", url):
        raise invalid("Invalid URL: must be a valid URL.", param="url", code="url_invalid")
    host = (urlsplit(url).hostname or "").lower().strip("[]")
    if not allow_local and _local_host(host):
        raise StripeApiError(400, NOT_PUBLIC, param="url", code="url_invalid")
