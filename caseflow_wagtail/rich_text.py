"""Rich text never links to an invoice: its address is the client's private link."""

from __future__ import annotations

from django.db.models import Model
from wagtail.rich_text.pages import PageLinkHandler


class InvoiceSafePageLinkHandler(PageLinkHandler):
    """Wagtail's page links, except that a link to an invoice or its folder renders like a deleted page.

    The page chooser no longer offers invoices, but a link pasted from elsewhere or imported would still
    print the invoice's private address on a public page.
    """

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list[Model | None]:
        from .models import InvoiceIndexPage, InvoicePage

        return [
            None if isinstance(page, (InvoicePage, InvoiceIndexPage)) else page
            for page in super().get_many(attrs_list)
        ]
