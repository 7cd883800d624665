from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from caseflow_wagtail.models import InvoicePage, Payment

pytestmark = pytest.mark.django_db


def test_editor_sees_invoices_but_no_payments_or_adjustments(editor_client):
    body = editor_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("caseflow_invoices:index") in body
    assert reverse("caseflow_payments:index") not in body
    assert reverse("caseflow_adjustments:index") not in body


@pytest.mark.parametrize(
    "url_name", ["caseflow_payments:index", "caseflow_payments:add", "caseflow_adjustments:add"]
)
def test_editor_is_refused_ledger_views(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


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
