"""Response headers for every page that shows an invoice: keep it out of indexes, caches and referrers."""

from django.http import HttpResponse


def make_private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
