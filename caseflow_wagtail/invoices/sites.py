"""Which site an invoice belongs to: decided here, and only here.

The site whose page tree holds the invoice owns it: its Stripe keys open the invoice's Checkout Sessions,
its settings decide what Pay Now offers, and only its webhook may credit the invoice. The request's
hostname never decides, so an invoice link opened under another site's address is still its own site's.
"""

from __future__ import annotations

from wagtail.models import Site


def invoice_site(invoice) -> Site | None:
    """The site whose tree holds ``invoice`` (None for an invoice in no site's tree, or not saved yet).

    When several sites share a root, Wagtail's own order decides (the default site first), the same
    answer every time, whatever the request.
    """
    if invoice is None or not getattr(invoice, "url_path", ""):
        return None
    return invoice.get_site()


def invoice_site_id(invoice) -> int | None:
    """The id of ``invoice_site(invoice)``, read from Wagtail's cached site root paths without a query, so
    a listing can sort many invoices by site."""
    if invoice is None or not getattr(invoice, "url_path", ""):
        return None
    # What Page.get_site() reads before it fetches the Site row.
    parts = invoice.get_url_parts()
    return parts[0] if parts is not None else None


def belongs_to(invoice, site: Site | None) -> bool:
    return site is not None and invoice_site_id(invoice) == site.pk
