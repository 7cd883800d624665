from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from caseflow_wagtail.models import InvoicePage, InvoiceStatus

from .helpers import make_void

pytestmark = pytest.mark.django_db


def test_regenerate_link_confirms_then_replaces_the_token(admin_client, client, make_invoice):
    invoice = make_invoice()
    old_url = invoice.url
    url = reverse("caseflow_wagtail_admin:regenerate_link", args=(invoice.pk,))

    confirmation = admin_client.get(url)

    assert confirmation.status_code == 200
    assert "stops working" in confirmation.content.decode()
    assert InvoicePage.objects.get(pk=invoice.pk).public_token == invoice.public_token

    response = admin_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=(invoice.pk,))
    invoice.refresh_from_db()
    assert invoice.url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(invoice.url).status_code == 200
    entry = PageLogEntry.objects.get(page=invoice, action="caseflow_wagtail.regenerate_link")
    assert entry.user.username == "boss"
    assert "regenerated" in entry.message


def test_billing_panel_links_to_the_invoice_actions(admin_client, make_invoice):
    invoice = make_invoice()
    edit_url = reverse("wagtailadmin_pages:edit", args=(invoice.pk,))

    body = admin_client.get(edit_url).content.decode()

    assert reverse("caseflow_wagtail_admin:regenerate_link", args=(invoice.pk,)) in body
    assert reverse("caseflow_wagtail_admin:void_invoice", args=(invoice.pk,)) in body
    assert f"{reverse('caseflow_payments:add')}?invoice={invoice.pk}" in body
    assert reverse("caseflow_wagtail_admin:restore_invoice", args=(invoice.pk,)) not in body

    make_void(invoice)
    body = admin_client.get(edit_url).content.decode()

    assert reverse("caseflow_wagtail_admin:restore_invoice", args=(invoice.pk,)) in body
    assert reverse("caseflow_wagtail_admin:void_invoice", args=(invoice.pk,)) not in body


def test_void_needs_a_reason_then_makes_the_invoice_void(admin_client, make_invoice):
    invoice = make_invoice(number="INV-VOID")
    url = reverse("caseflow_wagtail_admin:void_invoice", args=(invoice.pk,))

    assert admin_client.get(url).status_code == 200
    missing_reason = admin_client.post(url, {"reason": ""})

    assert missing_reason.status_code == 200
    assert "reason" in missing_reason.context["form"].errors
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID

    response = admin_client.post(url, {"reason": "Issued to the wrong client"})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert invoice.void_reason == "Issued to the wrong client"
    entry = PageLogEntry.objects.get(page=invoice, action="caseflow_wagtail.void")
    assert entry.data == {"reason": "Issued to the wrong client"}
    assert "Issued to the wrong client" in entry.message
    listing = admin_client.get(reverse("caseflow_invoices:index"), {"status": "void"}).content.decode()
    assert "INV-VOID" in listing


def test_void_invoice_survives_a_later_publish(admin_client, make_invoice):
    invoice = make_invoice()
    admin_client.post(reverse("caseflow_wagtail_admin:void_invoice", args=(invoice.pk,)), {"reason": "Dup"})

    InvoicePage.objects.get(pk=invoice.pk).save_revision().publish()

    assert InvoicePage.objects.get(pk=invoice.pk).status == InvoiceStatus.VOID


def test_restore_undoes_void(admin_client, make_invoice):
    invoice = make_invoice()
    make_void(invoice)
    url = reverse("caseflow_wagtail_admin:restore_invoice", args=(invoice.pk,))

    assert "Issued in error" in admin_client.get(url).content.decode()
    response = admin_client.post(url)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID
    assert invoice.void_reason == ""
    assert PageLogEntry.objects.filter(page=invoice, action="caseflow_wagtail.restore").exists()


def test_void_refuses_drafts_and_already_void_invoices(admin_client, make_invoice):
    draft = make_invoice(publish=False)
    void = make_invoice()
    make_void(void)

    for invoice in (draft, void):
        response = admin_client.post(
            reverse("caseflow_wagtail_admin:void_invoice", args=(invoice.pk,)), {"reason": "x"}
        )
        assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.voided_at is None
    assert not PageLogEntry.objects.filter(action="caseflow_wagtail.void").exists()


def test_unknown_invoice_is_404(admin_client, invoice_index):
    assert (
        admin_client.get(reverse("caseflow_wagtail_admin:regenerate_link", args=(999999,))).status_code == 404
    )
