"""The invoices folder: the private page that holds a site's invoices, kept private whatever an editor does."""

from __future__ import annotations

import secrets

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from ..permissions import BillingPagePermissionTester, grant_billing_group


class BillingPage:
    """What an invoice and the folder that holds them share: the billing permission decides who may edit
    them, and no moderation workflow applies.

    A site-wide moderation workflow (Wagtail's default covers the whole tree) would send invoices to
    reviewers chosen by group, not by the billing permission, and its preview shows client and amounts.
    Invoices are issued by billing staff who may publish; drafts wait for one of them. New invoices are
    added under the folder, so it has none either.
    """

    def permissions_for_user(self, user):
        return BillingPagePermissionTester(user, self)

    def get_workflow(self):
        return None

    @property
    def has_workflow(self) -> bool:
        return False


class InvoiceIndexPage(BillingPage, Page):
    """The private folder that holds a site's invoices.

    It is never served and keeps a view restriction so that every listing of public pages (the pages API,
    sitemaps, ``Page.objects.public()``) leaves invoices out.
    """

    max_count_per_parent = 1
    search_fields: list = []
    promote_panels: list = []

    class Meta:
        verbose_name = _("invoices folder")
        verbose_name_plural = _("invoices folders")

    @classmethod
    def allowed_subpage_models(cls):
        invoice_page = apps.get_model("caseflow_wagtail", "InvoicePage")
        return [model for model in super().allowed_subpage_models() if issubclass(model, invoice_page)]

    def save(self, *args, **kwargs):
        self.show_in_menus = False
        created = self.pk is None
        result = super().save(*args, **kwargs)
        self.ensure_private()
        if created:
            grant_billing_group(self)
        return result

    def ensure_private(self) -> None:
        # Only a group restriction keeps invoices from visitors who are not staff: with a login restriction
        # alone, any signed-in site member could list them through the pages API.
        restrictions = PageViewRestriction.objects.filter(page=self)
        if not restrictions.filter(restriction_type=PageViewRestriction.GROUPS).exists():
            PageViewRestriction.objects.create(page=self, restriction_type=PageViewRestriction.GROUPS)
        # A group restriction lets superusers through, and the pages API lists what a request may view, so a
        # superuser's listing would show every invoice with its private link. A password nobody is told is
        # the one restriction Wagtail applies to superusers too; the token view never asks for it.
        if not restrictions.filter(restriction_type=PageViewRestriction.PASSWORD).exists():
            PageViewRestriction.objects.create(
                page=self, restriction_type=PageViewRestriction.PASSWORD, password=secrets.token_urlsafe(32)
            )

    def route(self, request, path_components):
        # Slug paths never lead to an invoice: the token link is the only way in.
        raise Http404

    def get_sitemap_urls(self, request=None):
        return []

    def get_url_parts(self, request=None):
        # The site the folder sits in, with no address: Wagtail's answer for a page it cannot reverse. ``None``
        # would mean "in no site", which hides the site's billing settings from new invoices and makes the
        # explorer tell editors to configure a site. ``url`` and ``full_url`` are still None.
        parts = super().get_url_parts(request=request)
        if parts is None:
            return None
        return (parts[0], None, None)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def keep_invoice_folders_private(sender, instance, origin=None, **kwargs):
    """Undo an editor's “make public” on an invoices folder (the privacy dialog deletes the restriction)."""
    deleted_on_its_own = isinstance(origin, PageViewRestriction) or (
        getattr(origin, "model", None) is PageViewRestriction
    )
    if kwargs.get("signal") is post_delete and not deleted_on_its_own:
        # Deleted along with the folder itself: nothing is left to protect.
        return
    folder = InvoiceIndexPage.objects.filter(pk=instance.page_id).first()
    if folder is not None:
        folder.ensure_private()
