"""A client's account link: its path under the package's URLconf and its address on a site."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from wagtail.models import Site


def account_path(client) -> str:
    """``/billing/account/<token>/``; empty when the host site has not included the package's URLs."""
    try:
        return reverse("caseflow_wagtail:account", kwargs={"token": client.account_token})
    except NoReverseMatch:
        return ""


def account_url(client, site: Site | None) -> str:
    """The link as the client receives it: on ``site``'s own address, where it lists that site's invoices
    (the page lists only the invoices of the site it is opened on)."""
    path = account_path(client)
    if site is None or not path:
        return ""
    return site.root_url + path


def admin_site(request: HttpRequest | None) -> Site | None:
    """The site an admin page is about: the one the admin is opened on, else the default one."""
    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).first()
