"""Wagtail permission policies for the plugin's models, registered once at start-up (``apps.ready``):
email templates are a fixed set, and invoices and their folders stay out of what a user without the
billing permission explores."""

from __future__ import annotations

from django.db.models import Model
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import EmailTemplate
from .permissions import has_billing_permission


class FixedSetPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds or deletes: the plugin defines which records exist; staff only edit their content."""

    def user_has_permission(self, user, action: str) -> bool:
        return action not in ("add", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


POLICIES: dict[type[Model], ModelPermissionPolicy] = {}


def register() -> None:
    register_page_policy()
    POLICIES[EmailTemplate] = FixedSetPermissionPolicy(EmailTemplate)
    try:
        from wagtail.permissions import register_permission_policy
    except ImportError:  # Wagtail 7.0: viewsets hand their policy over themselves
        return
    for model, policy in POLICIES.items():
        register_permission_policy(model, policy, exact_class=True)


def policy_for(model: type[Model]) -> ModelPermissionPolicy | None:
    return POLICIES.get(model)


def billing_page_ids():
    """The ids of every invoice and invoices folder: pages only users with the billing permission reach."""
    from wagtail.models import Page

    from .models import InvoiceIndexPage, InvoicePage

    return Page.objects.type(InvoicePage, InvoiceIndexPage).values("pk")


def without_billing_pages(pages):
    """``pages`` less the invoices and their folders (a page queryset)."""
    return pages.exclude(pk__in=billing_page_ids())


class BillingAwarePagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, with invoices and their folder left out of what a non-billing user explores.

    Wagtail asks this policy which pages a user may explore for the page explorer, the admin page search,
    the admin API and the page and site history, so one exclusion here keeps invoice titles and their
    payment entries out of all of them.
    """

    def explorable_instances(self, user):
        pages = super().explorable_instances(user)
        if has_billing_permission(user):
            return pages
        return without_billing_pages(pages)


def register_page_policy() -> None:
    """Install the billing-aware page policy, unless the host site registered a page policy of its own."""
    try:
        from wagtail.permissions import page_permission_policy, policy_registry, register_permission_policy
    except ImportError:
        _replace_page_policy_on_wagtail_7()
        return
    from wagtail.models import AbstractPage, Page

    if policy_registry.get_by_type(Page) is page_permission_policy:
        register_permission_policy(AbstractPage, BillingAwarePagePermissionPolicy(Page))


def _replace_page_policy_on_wagtail_7() -> None:
    """Wagtail 7.0 has no policy registry; its page and site history read the module's
    ``page_permission_policy`` when they run, so the billing-aware policy takes its place there (unless the
    host site replaced it already)."""
    import wagtail.permissions
    from wagtail.models import Page

    if type(wagtail.permissions.page_permission_policy) is PagePermissionPolicy:
        wagtail.permissions.page_permission_policy = BillingAwarePagePermissionPolicy(Page)
