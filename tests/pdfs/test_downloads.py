"""Downloading the PDFs: the client's behind the invoice's token, staff's with the billing permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from .conftest import pay, pdf_text

pytestmark = pytest.mark.django_db


def invoice_pdf_url(invoice) -> str:
    return reverse("caseflow_wagtail:invoice_pdf", kwargs={"token": invoice.public_token})


def receipt_url(invoice, payment) -> str:
    return reverse(
        "caseflow_wagtail:invoice_receipt_pdf",
        kwargs={"token": invoice.public_token, "payment_id": payment.pk},
    )


def assert_private_pdf(response, filename: str) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    # The admin's never_cache adds its own directives; private and no-store are what matter.
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    return pdf_text(response.content)


def test_the_client_downloads_the_invoice_and_its_receipts_from_the_link(client, make_invoice, firm):
    invoice = make_invoice(number="HF-0100")
    payment = pay(invoice, "25.00")

    page = client.get(invoice.url).content.decode()
    assert f'href="{invoice_pdf_url(invoice)}"' in page
    assert f'href="{receipt_url(invoice, payment)}"' in page

    text = assert_private_pdf(client.get(invoice_pdf_url(invoice)), "invoice-HF-0100.pdf")
    assert "Invoice HF-0100" in text and "Balance due $75.00" in text
    text = assert_private_pdf(
        client.get(receipt_url(invoice, payment)), f"receipt-HF-0100-R-{payment.pk:06d}.pdf"
    )
    assert "Amount received $25.00" in text


def test_a_receipt_is_found_only_behind_its_own_invoices_token(client, make_invoice, firm):
    mine = make_invoice()
    other = make_invoice()
    theirs = pay(other, "10.00")

    wrong = reverse(
        "caseflow_wagtail:invoice_receipt_pdf", kwargs={"token": mine.public_token, "payment_id": theirs.pk}
    )
    assert client.get(wrong).status_code == 404
    assert client.get(receipt_url(other, theirs)).status_code == 200


def test_a_wrong_old_or_draft_token_finds_no_pdf(client, make_invoice):
    draft = make_invoice(publish=False)
    assert client.get(invoice_pdf_url(draft)).status_code == 404
    live = make_invoice()
    old_token = live.public_token
    live.regenerate_public_token()
    assert client.get(reverse("caseflow_wagtail:invoice_pdf", kwargs={"token": old_token})).status_code == 404
    assert client.get(reverse("caseflow_wagtail:invoice_pdf", kwargs={"token": "nope"})).status_code == 404
    assert client.post(invoice_pdf_url(live)).status_code == 405


def test_billing_staff_download_from_the_admin(client, django_user_model, make_invoice, firm):
    invoice = make_invoice(number="HF-0200")
    payment = pay(invoice, "40.00")
    clerk = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    clerk.groups.add(Group.objects.get(name="Billing"))
    client.force_login(clerk)

    editor = client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    invoice_url = reverse("caseflow_wagtail_admin:invoice_pdf", args=[invoice.pk])
    receipt = reverse("caseflow_wagtail_admin:receipt_pdf", args=[payment.pk])
    assert invoice_url in editor and receipt in editor
    inspect = client.get(reverse("caseflow_payments:inspect", args=[payment.pk])).content.decode()
    assert receipt in inspect

    assert "Invoice HF-0200" in assert_private_pdf(client.get(invoice_url), "invoice-HF-0200.pdf")
    text = assert_private_pdf(client.get(receipt), f"receipt-HF-0200-R-{payment.pk:06d}.pdf")
    assert "Amount received $40.00" in text


def test_admin_downloads_need_the_billing_permission(client, django_user_model, make_invoice):
    # A member of Wagtail's Editors: in the admin, with page permissions, without billing rights.
    editor = django_user_model.objects.create_user("ed", "ed@firm.test", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    invoice = make_invoice()
    payment = pay(invoice, "40.00")
    urls = [
        reverse("caseflow_wagtail_admin:invoice_pdf", args=[invoice.pk]),
        reverse("caseflow_wagtail_admin:receipt_pdf", args=[payment.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the admin's login
    client.force_login(editor)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")
    assert (
        client.get(reverse("caseflow_wagtail_admin:receipt_pdf", args=[payment.pk + 999])).status_code == 403
    )
