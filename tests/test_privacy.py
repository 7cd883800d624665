"""The token link is the only public way to an invoice: nothing else reveals that one exists."""

from __future__ import annotations

import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils.form_data import querydict_from_html

from caseflow_wagtail import ledger
from caseflow_wagtail.models import InvoiceIndexPage, InvoicePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(make_invoice, billing_client, django_capture_on_commit_callbacks):
    # Wagtail 7 updates the search index after commit: run those callbacks, as a real request would.
    with django_capture_on_commit_callbacks(execute=True):
        billing_client.name = "Zebulon Quarrystone Holdings"
        billing_client.save()
        return make_invoice(number="QX-7731")


@pytest.fixture
def public_page(home_page, django_capture_on_commit_callbacks):
    """An ordinary public page, so that each listing is shown to work before it is shown to hide invoices."""
    with django_capture_on_commit_callbacks(execute=True):
        return home_page.add_child(instance=Page(title="Our fees explained", slug="fees"))


def secrets_of(invoice: InvoicePage) -> list[str]:
    invoice = InvoicePage.objects.get(pk=invoice.pk)
    return [invoice.invoice_number, invoice.title, invoice.public_token, invoice.slug, invoice.client.name]


def assert_not_mentioned(text: str, invoice: InvoicePage) -> None:
    lowered = text.lower()
    for secret in secrets_of(invoice):
        assert secret.lower() not in lowered, f"{secret!r} is revealed"


# -- the token link --------------------------------------------------------------------------------------


def test_token_link_is_served_privately(client, invoice):
    response = client.get(f"/billing/invoice/{invoice.public_token}/")

    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert "QX-7731" in response.content.decode()


def test_token_link_is_the_page_url(invoice):
    assert invoice.url == f"/billing/invoice/{invoice.public_token}/"


def test_token_has_at_least_128_random_bits(make_invoice):
    tokens = {make_invoice().public_token for _ in range(3)}

    assert len(tokens) == 3
    # URL-safe base64 carries 6 bits a character.
    assert all(len(token) * 6 >= 128 for token in tokens)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_token_link_only_answers_safe_methods(client, invoice, method):
    response = getattr(client, method)(f"/billing/invoice/{invoice.public_token}/")

    assert response.status_code == 405


def test_a_wrong_token_is_not_found(client, invoice):
    token = invoice.public_token
    # One character off (never the same character: a token ending in "x" made this test pass by chance).
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")
    assert client.get(f"/billing/invoice/{wrong}/").status_code == 404
    assert client.get("/billing/invoice/not-a-token/").status_code == 404


def test_the_old_link_stops_working_when_regenerated(client, invoice):
    old = invoice.public_token

    new = invoice.regenerate_public_token()

    assert new != old
    assert client.get(f"/billing/invoice/{old}/").status_code == 404
    assert client.get(f"/billing/invoice/{new}/").status_code == 200


def test_a_draft_is_not_public(client, make_invoice):
    draft = make_invoice(publish=False)

    assert client.get(f"/billing/invoice/{draft.public_token}/").status_code == 404


def test_an_unpublished_invoice_is_no_longer_public(client, invoice):
    InvoicePage.objects.get(pk=invoice.pk).unpublish()

    assert client.get(f"/billing/invoice/{invoice.public_token}/").status_code == 404


def test_slug_paths_are_not_found(client, invoice):
    folder = invoice.get_parent()

    assert client.get(f"/{folder.slug}/{invoice.slug}/").status_code == 404
    assert client.get(f"/{folder.slug}/").status_code == 404
    # Not even for staff: a slug path would leak into browser history and shared links.
    admin = get_user_model().objects.create_superuser("root", "root@firm.test", "pw")
    client.force_login(admin)
    assert client.get(f"/{folder.slug}/{invoice.slug}/").status_code == 404


def test_the_client_sees_no_internal_notes_or_stripe_ids(client, invoice, billing_client):
    billing_client.notes = "Slow payer; chase weekly"
    billing_client.save()
    ledger.record_payment(
        invoice,
        amount=Decimal("25.00"),
        currency="USD",
        method="card",
        source="webhook",
        note="Paid after a reminder call",
        stripe_payment_intent_id="pi_3SecretIntent",
        stripe_charge_id="ch_3SecretCharge",
    )

    body = client.get(invoice.url).content.decode()

    assert "$25.00" in body
    for internal in ("Slow payer", "reminder call", "pi_3SecretIntent", "ch_3SecretCharge"):
        assert internal not in body


# -- discovery -------------------------------------------------------------------------------------------


def test_sitemap_does_not_list_invoices(client, invoice, public_page):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    text = response.content.decode()
    assert "/fees/" in text
    assert_not_mentioned(text, invoice)
    assert "/billing/" not in text


@pytest.mark.parametrize(
    "query_of",
    [
        lambda i: i.invoice_number,
        lambda i: i.client.name,
        lambda i: f"{i.invoice_number} {i.client.name}",
        lambda i: i.title,
    ],
    ids=["number", "client", "number_and_client", "title"],
)
def test_site_search_does_not_find_invoices(client, invoice, public_page, query_of):
    found = client.get("/search/", {"query": "fees explained"}).json()["results"]
    assert [hit["title"] for hit in found] == ["Our fees explained"]

    response = client.get("/search/", {"query": query_of(InvoicePage.objects.get(pk=invoice.pk))})

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert_not_mentioned(response.content.decode(), invoice)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": "caseflow_wagtail.InvoicePage"},
        {"type": "caseflow_wagtail.InvoiceIndexPage"},
        {"search": "QX-7731"},
        {"search": "Invoice"},
        {"fields": "title,slug", "limit": "20"},
    ],
    ids=["all", "invoice_type", "folder_type", "search_number", "search_title", "all_fields"],
)
def test_pages_api_does_not_reveal_invoices(client, invoice, public_page, params):
    response = client.get("/api/v2/pages/", params)

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert invoice.pk not in ids
    assert invoice.get_parent().pk not in ids
    assert_not_mentioned(response.content.decode(), invoice)


def test_pages_api_lists_ordinary_pages(client, invoice, public_page):
    ids = [item["id"] for item in client.get("/api/v2/pages/").json()["items"]]

    assert public_page.pk in ids


def test_pages_api_has_no_detail_or_path_lookup_for_an_invoice(client, invoice):
    folder = invoice.get_parent()

    assert client.get(f"/api/v2/pages/{invoice.pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{folder.pk}/").status_code == 404
    found = client.get("/api/v2/pages/find/", {"html_path": f"/{folder.slug}/{invoice.slug}/"})
    assert found.status_code == 404
    children = client.get("/api/v2/pages/", {"child_of": folder.pk})
    assert children.status_code in (200, 400)
    assert_not_mentioned(children.content.decode(), invoice)


def test_a_logged_in_site_member_sees_no_invoice_in_the_api(client, invoice):
    member = get_user_model().objects.create_user("member", "member@example.test", "pw")
    client.force_login(member)

    response = client.get("/api/v2/pages/", {"type": "caseflow_wagtail.InvoicePage"})

    assert response.json()["items"] == []


@pytest.mark.parametrize("one_by_one", [True, False], ids=["each", "queryset"])
def test_making_the_folder_public_does_not_expose_invoices(client, invoice, one_by_one):
    # The page privacy dialog deletes the folder's restriction when an editor chooses “Public”.
    folder = invoice.get_parent()
    if one_by_one:
        for restriction in PageViewRestriction.objects.filter(page=folder):
            restriction.delete()
    else:
        PageViewRestriction.objects.filter(page=folder).delete()

    response = client.get("/api/v2/pages/", {"type": "caseflow_wagtail.InvoicePage"})

    assert response.json()["items"] == []
    assert_not_mentioned(client.get("/api/v2/pages/").content.decode(), invoice)


def test_a_login_only_restriction_on_the_folder_does_not_expose_invoices(client, invoice):
    # An editor might loosen the folder's privacy to “any logged-in user”, which every site member is.
    folder = invoice.get_parent()
    PageViewRestriction.objects.filter(page=folder).update(restriction_type=PageViewRestriction.LOGIN)
    for restriction in PageViewRestriction.objects.filter(page=folder):
        restriction.save()
    client.force_login(get_user_model().objects.create_user("member", "member@example.test", "pw"))

    response = client.get("/api/v2/pages/", {"type": "caseflow_wagtail.InvoicePage"})

    assert response.json()["items"] == []


def test_invoices_and_their_folder_stay_out_of_menus(invoice, home_page, public_page):
    public_page.show_in_menus = True
    public_page.save()
    folder = InvoiceIndexPage.objects.get(pk=invoice.get_parent().pk)

    folder.show_in_menus = True
    folder.save()
    folder.show_in_menus = True
    folder.save_revision().publish()

    assert InvoiceIndexPage.objects.get(pk=folder.pk).show_in_menus is False
    in_menu = list(Page.objects.live().in_menu().values_list("pk", flat=True))
    assert public_page.pk in in_menu
    assert folder.pk not in in_menu
    assert invoice.pk not in in_menu
    # The folder's editor offers no “show in menus” setting to begin with.
    assert InvoiceIndexPage.promote_panels == []


# -- editors still preview -------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    client.force_login(get_user_model().objects.create_superuser("editor", "editor@firm.test", "pw"))
    return client


def test_editors_view_a_draft(editor_client, make_invoice):
    draft = make_invoice(number="DR-0042", publish=False, lines=[("Drafting", "1", "100.00", None)])
    # An edit saved as a draft revision, not published.
    page = InvoicePage.objects.get(pk=draft.pk)
    line = page.lines.first()
    line.unit_price = Decimal("250.00")
    page.lines = [line]
    page.save_revision()

    response = editor_client.get(reverse("wagtailadmin_pages:view_draft", args=[draft.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "DR-0042" in body
    assert "<dt>Total</dt><dd>$250.00</dd>" in body


def test_editors_preview_unsaved_changes_with_fresh_totals(editor_client, make_invoice):
    draft = make_invoice(number="DR-0043", publish=False, lines=[("Drafting", "1", "100.00", None)])
    edit_url = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    data = querydict_from_html(editor_client.get(edit_url).content.decode(), form_id="page-edit-form")
    data["lines-0-quantity"] = "3"
    # The StreamField's inputs are drawn by the admin's JavaScript; an empty body is what it would send.
    data.setdefault("body-count", "0")
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[draft.pk])

    posted = editor_client.post(preview_url, data)
    assert posted.status_code == 200, posted.content
    assert posted.json()["is_valid"], posted.json()
    response = editor_client.get(preview_url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "DR-0043" in body
    assert "<dt>Total</dt><dd>$300.00</dd>" in body
    assert "<dt>Balance due</dt><dd>$300.00</dd>" in body


def test_anonymous_visitors_cannot_preview(client, make_invoice):
    draft = make_invoice(publish=False)

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[draft.pk]))

    assert response.status_code in (302, 403)
    assert draft.invoice_number not in response.content.decode()


# -- strict Content-Security-Policy ----------------------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found.extend(f"{name}= on <{tag}>" for name in names if name.startswith("on"))
        if any((value or "").strip().lower().startswith("javascript:") for value in names.values()):
            self.found.append(f"javascript: URL on <{tag}>")


def test_public_page_has_no_inline_scripts_or_styles(client, make_invoice):
    invoice = make_invoice(lines=[("Advice", "2", "150.00", "20"), ("Filing fee", "1", "80.00", None)])
    page = InvoicePage.objects.get(pk=invoice.pk)
    page.notes = "Payable within 30 days."
    page.body = json.dumps([{"type": "paragraph", "value": "<p><b>Thank you</b></p>"}])
    page.save_revision().publish()
    ledger.record_payment(invoice, amount=Decimal("100.00"), currency="USD", method="cheque")
    ledger.record_adjustment(invoice, kind="refund", amount=Decimal("10.00"), currency="USD", reason="Fee")
    ledger.record_adjustment(invoice, kind="credit", amount=Decimal("5.00"), currency="USD", reason="Fee")

    response = client.get(invoice.url)
    parser = InlineCode()
    parser.feed(response.content.decode())

    assert response.status_code == 200
    # Every part of the page was rendered, so every part was checked.
    assert {"table", "main", "dl", "h1"} <= parser.tags
    assert "Thank you" in response.content.decode()
    assert parser.found == []


def test_editors_preview_a_new_invoice_before_saving_it(editor_client, invoice_index, billing_client):
    add_url = reverse("wagtailadmin_pages:add", args=["caseflow_wagtail", "invoicepage", invoice_index.pk])
    data = querydict_from_html(editor_client.get(add_url).content.decode(), form_id="page-edit-form")
    data.update(
        {
            "invoice_number": "NEW-0001",
            "client": str(billing_client.pk),
            "currency": "USD",
            "lines-TOTAL_FORMS": "1",
            "lines-0-description": "First consultation",
            "lines-0-quantity": "2",
            "lines-0-unit_price": "75.00",
            "lines-0-tax_rate": "",
            "lines-0-ORDER": "1",
        }
    )
    data.setdefault("body-count", "0")
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["caseflow_wagtail", "invoicepage", invoice_index.pk]
    )

    posted = editor_client.post(preview_url, data)
    assert posted.json()["is_valid"], posted.json()
    response = editor_client.get(preview_url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "NEW-0001" in body
    assert "<dt>Total</dt><dd>$150.00</dd>" in body
    assert not InvoicePage.objects.filter(invoice_number="NEW-0001").exists()
