"""Response headers for every page that shows an invoice or a payment: out of indexes, caches, referrers and
frames, and under a strict Content-Security-Policy.

The policy allows what these pages use and nothing else: the package's own stylesheet, the firm's logo,
forms posted to the site itself, and the redirects those forms lead to — Stripe Checkout and the billing
portal (Chromium applies ``form-action`` to the redirect after a form post, so Pay Now breaks without them). A host site
that sends its own policy on these paths must allow the same form actions; see docs/install.md.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse

from . import conf

# Where Pay Now, a subscription's setup link and Update card send the client.
STRIPE_FORM_ACTIONS = ("https://checkout.stripe.com", "https://billing.stripe.com")


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def default_policy() -> str:
    """The built-in policy, with the static files' and a local Stripe emulator's origins when they differ."""
    static = _origin(getattr(settings, "STATIC_URL", "") or "")
    # The firm's logo is a Wagtail rendition, served from MEDIA_URL (a storage's own address is the
    # host site's to allow, through CONTENT_SECURITY_POLICY).
    media = _origin(getattr(settings, "MEDIA_URL", "") or "")
    emulator = _origin(conf.get("STRIPE_API_BASE"))
    styles = " ".join(filter(None, ["'self'", static]))
    images = " ".join(dict.fromkeys(filter(None, ["'self'", "data:", static, media])))
    actions = " ".join(filter(None, ["'self'", *STRIPE_FORM_ACTIONS, emulator]))
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {styles}",
            f"img-src {images}",
            f"font-src {styles}",
            f"form-action {actions}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def content_security_policy() -> str:
    """``CONTENT_SECURITY_POLICY``: None for the built-in policy, a string to send instead, "" for none."""
    configured = conf.get("CONTENT_SECURITY_POLICY")
    return default_policy() if configured is None else str(configured)


def make_private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: browsers send "Origin: null" with a form posted under no-referrer,
    # which fails Django's CSRF origin check, so Pay Now would be refused. The token link still never
    # leaves in a Referer to another origin (Stripe, links in the notes).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "DENY"
    policy = content_security_policy()
    if policy:
        response["Content-Security-Policy"] = policy
    return response
