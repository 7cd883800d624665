"""The page explorer on the billing pages: no advice to set up a site for pages kept out of routing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow_wagtail.models import BillingSettings

pytestmark = pytest.mark.django_db

NO_SITE_WARNINGS = ("There is no site set up for this location", "There is no site record for this location")


def explorer(client, page) -> str:
    response = client.get(reverse("wagtailadmin_explore", args=[page.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_invoices_folder_sends_nobody_to_configure_a_site(admin_client, make_invoice):
    invoice = make_invoice(number="EX-0001")
    folder = invoice.get_parent()

    body = explorer(admin_client, folder)

    assert "EX-0001" in body
    for warning in NO_SITE_WARNINGS:
        assert warning not in body
    assert "Configure a site now" not in body


def test_an_invoice_in_the_explorer_sends_nobody_to_configure_a_site(admin_client, make_invoice):
    invoice = make_invoice(number="EX-0002")

    body = explorer(admin_client, invoice)

    for warning in NO_SITE_WARNINGS:
        assert warning not in body
    assert "Configure a site now" not in body


def test_the_folder_still_has_no_address_and_belongs_to_its_site(client, invoice_index, home_page):
    assert invoice_index.url is None
    assert invoice_index.full_url is None
    assert invoice_index.get_site() == home_page.get_site()
    assert client.get("/invoices/").status_code == 404


def test_a_new_invoice_takes_the_sites_number_prefix(admin_client, invoice_index, home_page, make_invoice):
    billing = BillingSettings.for_site(home_page.get_site())
    billing.invoice_number_prefix = "HF-"
    billing.save()
    make_invoice(number="HF-0041")

    response = admin_client.get(
        reverse("wagtailadmin_pages:add", args=("caseflow_wagtail", "invoicepage", invoice_index.pk))
    )

    assert response.status_code == 200
    assert response.context["form"].initial["invoice_number"] == "HF-0042"
