from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Site

from caseflow_wagtail.models import BillingSettings
from tests.admin.conftest import admin_client, editor, superuser  # noqa: F401  (fixtures)

FIRM_COPY = "accounts@firm.test"


@pytest.fixture
def clerk(django_user_model, home_page):
    """A member of the ready "Billing" group: records payments, so may send invoices."""
    user = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    user.groups.add(Group.objects.get(name="Billing"))
    return user


@pytest.fixture
def viewer(django_user_model, home_page):
    """Sees billing (view_payment) and may edit pages, but may not record payments or send invoices."""
    user = django_user_model.objects.create_user("viewer", "viewer@firm.test", "pw")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_payment")
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def firm_copy(home_page) -> str:
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = "Lovelace & Babbage LLP"
    billing.billing_email = FIRM_COPY
    billing.save()
    return FIRM_COPY


def send_url(invoice) -> str:
    return reverse("caseflow_wagtail_admin:send_invoice", args=[invoice.pk])


def bulk_url(*invoices) -> str:
    ids = "&".join(f"id={invoice.pk}" for invoice in invoices)
    return (
        reverse("wagtail_bulk_action", args=["caseflow_wagtail", "invoicepage", "send"])
        + f"?{ids}&next={reverse('caseflow_invoices:index')}"
    )


def form_key(response) -> str:
    return response.context["form"].initial["request_key"]
