"""Permission policies for the plugin's models, registered once at start-up."""

from __future__ import annotations

from django.db.models import Model
from wagtail.models import PagePermissionTester
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import EmailTemplate


class FixedSetPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds or deletes: the plugin defines which records exist; staff only edit their content."""

    def user_has_permission(self, user, action: str) -> bool:
        return action not in ("add", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


# The billing permission: seeing client names, amounts, payments and private links anywhere in the admin.
# Page permissions alone (Wagtail's Editors and Moderators) never grant it; the "Billing" group has it.
BILLING_PERMISSIONS = ("caseflow_wagtail.view_payment", "caseflow_wagtail.add_payment")


# What a billing user may do beyond seeing billing: each action's one permission.
RECORD_PAYMENT = "caseflow_wagtail.add_payment"
RECONCILE = "caseflow_wagtail.add_adjustment"
VIEW_SUBSCRIPTION = "caseflow_wagtail.view_subscription"
ADD_SUBSCRIPTION = "caseflow_wagtail.add_subscription"
CHANGE_SUBSCRIPTION = "caseflow_wagtail.change_subscription"


def has_billing_permission(user) -> bool:
    """Whether ``user`` may see and manage billing: the one test every billing view, panel and hook uses."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return user.is_superuser or any(user.has_perm(codename) for codename in BILLING_PERMISSIONS)


def may(user, permission: str) -> bool:
    """Whether ``user`` holds one of the permissions above (never an inactive or anonymous user)."""
    return user is not None and getattr(user, "is_active", False) and user.has_perm(permission)


def may_record_payments(user) -> bool:
    return may(user, RECORD_PAYMENT)


def may_reconcile(user) -> bool:
    """Refunds, disputes and payments set aside: deciding what they mean for the books."""
    return may(user, RECONCILE)


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


# -- invoices in the page tree --------------------------------------------------------------------------


def billing_page_ids():
    """The ids of every invoice and invoices folder: pages only users with the billing permission reach."""
    from wagtail.models import Page

    from .models import InvoiceIndexPage, InvoicePage

    return Page.objects.type(InvoicePage, InvoiceIndexPage).values("pk")


def without_billing_pages(pages):
    """``pages`` less the invoices and their folders (a page queryset)."""
    return pages.exclude(pk__in=billing_page_ids())


class BillingPagePermissionTester(PagePermissionTester):
    """Page permissions on an invoice or its folder count only for users with the billing permission.

    Without it, every action (edit, history, revisions, copy, move, delete, publish …) is refused, so an
    Editor or Moderator never opens an invoice's editor, its Payments tab or its history.
    """

    def __init__(self, user, page):
        super().__init__(user, page)
        if not has_billing_permission(user):
            self.permissions = set()


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


BILLING_GROUP = "Billing"
BILLING_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def grant_billing_group(folder) -> None:
    """Let the ready "Billing" group (if the site kept it) add, edit and publish invoices in ``folder``."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.filter(name=BILLING_GROUP).first()
    if group is None:
        return
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=BILLING_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=folder, permission=permission)
