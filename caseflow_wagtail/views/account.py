"""The client's account page: every open invoice and those paid in the last twelve months, behind the
client's own token link, on the site it is opened on."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from ..accounts.pay_several import PayGroup, pay_groups
from ..accounts.statement import account_statement
from ..firm import firm_details
from ..headers import make_private
from ..models import Client, PaymentGatewaySettings


@dataclass(frozen=True, slots=True)
class PayErrorShown:
    """A refused "pay these invoices": shown at its field, with what the client ticked and typed kept."""

    currency: str
    field: str
    message: str
    ticked: frozenset[str]
    amount: str


@dataclass(frozen=True, slots=True)
class PayForm:
    """One currency's "pay these invoices" form, and its refusal when that form was the one sent."""

    group: PayGroup
    shown: PayErrorShown | None


def get_account_client(token: str) -> Client:
    """The client with this account token, or 404: the same answer for a wrong and a replaced link."""
    client = Client.objects.filter(account_token=token).first()
    if client is None:
        raise Http404
    return client


def account_site(request: HttpRequest) -> Site:
    # The request's site, never the client's: one firm's address never lists another site's invoices.
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def render_account(
    request: HttpRequest, client: Client, site: Site, *, pay_error: PayErrorShown | None = None
) -> HttpResponse:
    statement = account_statement(client, site)
    firm = firm_details(site)
    groups = pay_groups((row.invoice for row in statement.open), PaymentGatewaySettings.for_site(site))
    context = {
        "client": client,
        "statement": statement,
        "pay_forms": [
            PayForm(group, pay_error if pay_error and pay_error.currency == group.currency else None)
            for group in groups
        ],
        "firm": firm,
        "firm_name": firm.name,
    }
    response = TemplateResponse(
        request, "caseflow_wagtail/account_page.html", context, status=400 if pay_error else 200
    )
    return make_private(response)


@require_safe
def account(request: HttpRequest, token: str) -> HttpResponse:
    return render_account(request, get_account_client(token), account_site(request))
