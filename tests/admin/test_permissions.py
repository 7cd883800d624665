from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.models import InvoicePage, Payment

pytestmark = pytest.mark.django_db


def test_editor_sees_no_invoices_payments_or_adjustments(editor_client):
    # Page permissions alone are not the billing permission: the Invoices listing shows clients and balances.
    body = editor_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("caseflow_invoices:index") not in body
    assert reverse("caseflow_payments:index") not in body
    assert reverse("caseflow_adjustments:index") not in body


@pytest.mark.parametrize(
    "url_name",
    [
        "caseflow_payments:index",
        "caseflow_payments:add",
        "caseflow_adjustments:index",
        "caseflow_adjustments:add",
        "wagtailsnippets_caseflow_wagtail_client:list",
        "wagtailsnippets_caseflow_wagtail_client:add",
    ],
)
def test_editor_is_refused_billing_views(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_is_refused_inspecting_a_payment_and_editing_a_client(
    editor_client, make_invoice, billing_client
):
    invoice = make_invoice()
    ledger.record_payment(invoice, amount=Decimal("5"), currency="USD", method="cash")
    payment = Payment.objects.get()

    assert editor_client.get(reverse("caseflow_payments:inspect", args=(payment.pk,))).status_code == 403
    edit_client = reverse("wagtailsnippets_caseflow_wagtail_client:edit", args=(billing_client.pk,))
    assert editor_client.get(edit_client).status_code == 403
    assert editor_client.post(edit_client, {"name": "Renamed"}).status_code == 403
    billing_client.refresh_from_db()
    assert billing_client.name == "Acme Holdings"


def test_user_without_page_permissions_is_refused_the_invoice_listing(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    assert reverse("caseflow_invoices:index") not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.get(reverse("caseflow_invoices:index")).status_code == 403
    assert client.get(reverse("caseflow_wagtail_admin:add_invoice")).status_code == 403


def test_editor_cannot_post_a_payment(editor_client, make_invoice):
    invoice = make_invoice()

    response = editor_client.post(
        reverse("caseflow_payments:add"),
        {"invoice": invoice.pk, "amount": "10", "method": "cash", "received_on": "2026-01-01"},
    )

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_editor_without_publish_permission_cannot_regenerate_or_void(editor_client, make_invoice):
    invoice = make_invoice()
    token = invoice.public_token

    for name in ("regenerate_link", "void_invoice", "restore_invoice"):
        url = reverse(f"caseflow_wagtail_admin:{name}", args=(invoice.pk,))
        assert editor_client.get(url).status_code == 403
        assert editor_client.post(url, {"reason": "x"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.public_token == token
    assert invoice.voided_at is None


def test_add_payment_permission_opens_the_record_form(editor, editor_client, make_invoice):
    editor.user_permissions.add(Permission.objects.get(codename="add_payment"))
    invoice = make_invoice()

    assert (
        reverse("caseflow_payments:index") in editor_client.get(reverse("wagtailadmin_home")).content.decode()
    )
    response = editor_client.post(
        reverse("caseflow_payments:add"),
        {"invoice": invoice.pk, "amount": "10", "method": "cash", "received_on": "2026-01-01"},
    )

    assert response.status_code == 302
    assert InvoicePage.objects.get(pk=invoice.pk).balance == 90


def test_only_add_and_view_permissions_are_offered_to_groups(admin_client):
    from wagtail import hooks

    offered = {
        permission.codename
        for hook in hooks.get_hooks("register_permissions")
        for permission in hook()
        if permission.content_type.model in {"payment", "adjustment"}
    }

    assert offered == {"add_payment", "view_payment", "add_adjustment", "view_adjustment"}
