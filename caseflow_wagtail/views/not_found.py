"""The client's answer to a billing link that leads nowhere: a page that helps, and says nothing of any invoice.

A wrong, old or replaced token link gets the same 404 whatever the reason, so a guessed token learns nothing;
the page names only the firm of the site the request came to, as its masthead would anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Site

from ..firm import firm_details
from ..headers import make_private


def link_not_found(request: HttpRequest) -> HttpResponse:
    firm = firm_details(Site.find_for_request(request))
    response = TemplateResponse(
        request,
        "caseflow_wagtail/link_not_found.html",
        {"firm": firm, "firm_name": firm.name},
        status=404,
    )
    # Rendered now, so that the headers below go out with the body whatever middleware follows.
    response.render()
    return make_private(response)


def friendly_not_found(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer the view's 404 with ``link_not_found`` rather than the host site's own 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return link_not_found(request)

    return wrapped
