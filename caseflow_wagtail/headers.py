"""Response headers for every page that shows an invoice: keep it out of indexes, caches and referrers."""

from django.http import HttpResponse


def make_private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: browsers send "Origin: null" with a form posted under no-referrer,
    # which fails Django's CSRF origin check, so Pay Now would be refused. The token link still never
    # leaves in a Referer to another origin (Stripe, links in the notes).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
