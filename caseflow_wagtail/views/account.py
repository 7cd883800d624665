"""The client's account page: every open invoice and those paid in the last twelve months, behind the
client's own token link, on the site it is opened on."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from ..accounts.statement import account_statement
from ..firm import firm_details
from ..headers import make_private
from ..models import Client


def get_account_client(token: str) -> Client:
    """The client with this account token, or 404: the same answer for a wrong and a replaced link."""
    client = Client.objects.filter(account_token=token).first()
    if client is None:
        raise Http404
    return client


@require_safe
def account(request: HttpRequest, token: str) -> HttpResponse:
    client = get_account_client(token)
    # The request's site, never the client's: one firm's address never lists another site's invoices.
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    statement = account_statement(client, site)
    firm = firm_details(site)
    context = {
        "client": client,
        "statement": statement,
        "firm": firm,
        "firm_name": firm.name,
    }
    return make_private(TemplateResponse(request, "caseflow_wagtail/account_page.html", context))
