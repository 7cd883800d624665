"""Private links never leak through the page tree: choosers, translation, page copy and the pages API."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale, Page

from caseflow_wagtail.models import InvoiceIndexPage, InvoicePage
from tests.testapp.models import SectionPage

from .admin.helpers import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("boss", "boss@firm.test", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def invoices(make_invoice):
    paid = make_invoice(number="PT-0001")
    pay(paid, "100.00")
    return [paid, make_invoice(number="PT-0002")]


def test_the_page_chooser_offers_no_invoice_or_folder(admin_client, invoices, home_page):
    folder = invoices[0].get_parent()
    views = [
        (reverse("wagtailadmin_choose_page"), {}),
        (reverse("wagtailadmin_choose_page_child", args=[home_page.pk]), {}),
        (reverse("wagtailadmin_choose_page_child", args=[folder.pk]), {}),
        (reverse("wagtailadmin_choose_page_search"), {"q": "PT-0001"}),
        (reverse("wagtailadmin_choose_page_search"), {"q": "Invoice"}),
    ]
    for url, params in views:
        body = admin_client.get(url, params).content.decode()
        for invoice in invoices:
            assert invoice.public_token not in body, url
            assert invoice.invoice_number not in body, url
        assert f'data-id="{folder.pk}"' not in body, url


def test_translating_the_home_page_copies_no_invoice(superuser, invoices, home_page):
    french = Locale.objects.create(language_code="fr")

    CopyPageForTranslationAction(
        page=home_page.specific, locale=french, include_subtree=True, user=superuser
    ).execute(skip_permission_checks=True)

    assert Page.objects.filter(locale=french).exists()
    assert not InvoicePage.objects.filter(locale=french).exists()
    numbers = list(InvoicePage.objects.values_list("invoice_number", flat=True))
    assert sorted(numbers) == ["PT-0001", "PT-0002"]
    # Whatever folder the translation keeps is private and empty.
    for folder in InvoiceIndexPage.objects.filter(locale=french):
        assert folder.get_children().count() == 0
        assert folder.get_view_restrictions().exists()


def test_copying_a_section_with_its_subpages_copies_no_invoice(admin_client, invoices, home_page):
    section = home_page.add_child(instance=SectionPage(title="Office", slug="office"))
    invoices[0].get_parent().move(section, pos="last-child")

    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[section.pk]),
        {
            "new_title": "Home copy",
            "new_slug": "home-copy",
            "new_parent_page": str(home_page.pk),
            "copy_subpages": "on",
            "publish_copies": "",
            "alias": "",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    copy = Page.objects.get(slug="home-copy")
    # The folder comes along, empty and still private; no invoice does.
    assert copy.get_descendants().type(InvoiceIndexPage).exists()
    assert not copy.get_descendants().type(InvoicePage).exists()
    assert InvoicePage.objects.count() == 2
    numbers = list(InvoicePage.objects.values_list("invoice_number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_copying_one_invoice_still_makes_a_new_draft_invoice(admin_client, invoices):
    source = invoices[0]
    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[source.pk]),
        {
            "new_title": "copy",
            "new_slug": "pt-0001-copy",
            "new_parent_page": str(source.get_parent().pk),
            "alias": "",
        },
    )

    assert response.status_code == 302
    copy = InvoicePage.objects.exclude(pk__in=[i.pk for i in invoices]).get()
    assert copy.invoice_number not in {"PT-0001", "PT-0002"}
    assert copy.public_token != source.public_token
    assert copy.amount_paid == 0


@pytest.mark.parametrize(
    "params", [{}, {"fields": "*"}, {"type": "caseflow_wagtail.InvoicePage", "fields": "*"}, {"search": "PT"}]
)
def test_a_superusers_pages_api_listing_exposes_no_token(admin_client, invoices, params):
    # A group restriction lets superusers through; the listing must still never carry a private link.
    response = admin_client.get("/api/v2/pages/", params)

    assert response.status_code == 200
    body = response.content.decode()
    for invoice in invoices:
        assert invoice.public_token not in body
        assert admin_client.get(f"/api/v2/pages/{invoice.pk}/").status_code == 404
    folder = invoices[0].get_parent()
    assert admin_client.get(f"/api/v2/pages/{folder.pk}/").status_code == 404


def test_rich_text_never_prints_an_invoices_link(invoices, home_page):
    from wagtail.rich_text import expand_db_html

    public = home_page.add_child(instance=Page(title="Our fees", slug="fees"))
    html = expand_db_html(
        f'<p><a linktype="page" id="{invoices[0].pk}">your bill</a> '
        f'<a linktype="page" id="{invoices[0].get_parent().pk}">bills</a> '
        f'<a linktype="page" id="{public.pk}">fees</a></p>'
    )

    assert invoices[0].public_token not in html
    assert "/billing/" not in html
    assert 'href="/fees/"' in html
