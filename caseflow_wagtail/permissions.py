"""Who may do what with billing: the one place each permission check is written.

It imports no model of the plugin, so the invoice pages can ask it for their page permissions; the
permission policies built on these checks, registered at start-up, are in ``policies``."""

from __future__ import annotations

from wagtail.models import PagePermissionTester

# The billing permission: seeing client names, amounts, payments and private links anywhere in the admin.
# Page permissions alone (Wagtail's Editors and Moderators) never grant it; the "Billing" group has it.
BILLING_PERMISSIONS = ("caseflow_wagtail.view_payment", "caseflow_wagtail.add_payment")


# What a billing user may do beyond seeing billing: each action's one permission.
RECORD_PAYMENT = "caseflow_wagtail.add_payment"
RECONCILE = "caseflow_wagtail.add_adjustment"
# Emailing an invoice to its client: those who record payments and resend receipts.
SEND_INVOICE = RECORD_PAYMENT
# Editing a client, and giving one a new account link.
CHANGE_CLIENT = "caseflow_wagtail.change_client"
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


def may_send_invoices(user) -> bool:
    """Emailing invoices to clients (each invoice's page permissions are asked as well)."""
    return has_billing_permission(user) and may(user, SEND_INVOICE)


def may_change_clients(user) -> bool:
    """Giving a client a new account link: billing staff who may edit clients."""
    return has_billing_permission(user) and may(user, CHANGE_CLIENT)


def may_reconcile(user) -> bool:
    """Refunds, disputes and payments set aside: deciding what they mean for the books."""
    return may(user, RECONCILE)


# -- invoices in the page tree --------------------------------------------------------------------------


class BillingPagePermissionTester(PagePermissionTester):
    """Page permissions on an invoice or its folder count only for users with the billing permission.

    Without it, every action (edit, history, revisions, copy, move, delete, publish …) is refused, so an
    Editor or Moderator never opens an invoice's editor, its Payments tab or its history.
    """

    def __init__(self, user, page):
        super().__init__(user, page)
        if not has_billing_permission(user):
            self.permissions = set()


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
