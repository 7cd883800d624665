"""Who sees money: without the billing permission, no client name, amount, payment or private link."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from caseflow_wagtail import permissions

from .helpers import pay

pytestmark = pytest.mark.django_db

SECRET_NAME = "Acme Holdings"


@pytest.fixture
def moderator(django_user_model, home_page):
    """A member of Wagtail's stock Moderators group: may add, edit and publish every page."""
    user = django_user_model.objects.create_user("mo", "mo@firm.test", "pw")
    moderators = Group.objects.get(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(moderators)
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def paid_invoice(make_invoice):
    invoice = make_invoice(number="INV-7001", lines=[("Advice", "1", "321.00", None)])
    pay(invoice, "123.45")
    return invoice


def assert_no_money(body: str, invoice) -> None:
    assert SECRET_NAME not in body
    assert "123.45" not in body
    assert "321.00" not in body
    assert invoice.public_token not in body


def test_the_client_chooser_lists_no_client_to_a_user_without_billing(moderator_client, billing_client):
    for name in ("choose", "choose_results"):
        response = moderator_client.get(reverse(f"wagtailsnippetchoosers_caseflow_wagtail_client:{name}"))
        assert SECRET_NAME not in response.content.decode()
        assert response.status_code == 403
    chosen = reverse("wagtailsnippetchoosers_caseflow_wagtail_client:chosen", args=[billing_client.pk])
    assert SECRET_NAME not in moderator_client.get(chosen).content.decode()


@pytest.mark.parametrize("who", ["editor_client", "moderator_client"])
def test_page_editors_see_no_invoice_listing(request, who, paid_invoice):
    user_client = request.getfixturevalue(who)

    home = user_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("caseflow_invoices:index") not in home
    response = user_client.get(reverse("caseflow_invoices:index"))
    assert response.status_code == 403
    assert_no_money(response.content.decode(), paid_invoice)
    searched = user_client.get(reverse("caseflow_invoices:index"), {"q": "Acme"})
    assert_no_money(searched.content.decode(), paid_invoice)


@pytest.mark.parametrize("who", ["editor_client", "moderator_client"])
def test_page_editors_cannot_open_an_invoice_or_its_history(request, who, paid_invoice):
    user_client = request.getfixturevalue(who)

    for name in ("edit", "history", "revisions_index", "copy", "delete"):
        try:
            url = reverse(f"wagtailadmin_pages:{name}", args=[paid_invoice.pk])
        except Exception:
            continue
        response = user_client.get(url)
        assert response.status_code in (302, 403), (name, response.status_code)
        assert_no_money(response.content.decode(), paid_invoice)


@pytest.mark.parametrize("who", ["editor_client", "moderator_client"])
def test_page_editors_see_no_payment_in_site_history_or_explorer(request, who, paid_invoice):
    user_client = request.getfixturevalue(who)

    history = user_client.get(reverse("wagtailadmin_reports:site_history"))
    assert history.status_code == 200
    body = history.content.decode()
    assert_no_money(body, paid_invoice)
    assert "INV-7001" not in body
    folder = paid_invoice.get_parent()
    explorer = user_client.get(reverse("wagtailadmin_explore", args=[folder.pk])).content.decode()
    assert "INV-7001" not in explorer


def test_moderators_cannot_void_regenerate_or_restore(moderator_client, paid_invoice):
    token = paid_invoice.public_token

    for name in ("regenerate_link", "void_invoice", "restore_invoice"):
        url = reverse(f"caseflow_wagtail_admin:{name}", args=(paid_invoice.pk,))
        assert moderator_client.get(url).status_code == 403
        assert moderator_client.post(url, {"reason": "x"}).status_code == 403
    paid_invoice.refresh_from_db()
    assert paid_invoice.public_token == token
    assert paid_invoice.voided_at is None


def test_the_billing_group_sees_and_manages_invoices(client, django_user_model, paid_invoice):
    clerk = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    clerk.groups.add(Group.objects.get(name="Billing"))
    client.force_login(clerk)
    assert permissions.has_billing_permission(clerk)

    listing = client.get(reverse("caseflow_invoices:index"))
    assert listing.status_code == 200
    assert SECRET_NAME in listing.content.decode()
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[paid_invoice.pk]))
    assert editor.status_code == 200
    assert paid_invoice.public_token in editor.content.decode()
    chooser = client.get(reverse("wagtailsnippetchoosers_caseflow_wagtail_client:choose"))
    assert SECRET_NAME in chooser.content.decode()
    void = reverse("caseflow_wagtail_admin:void_invoice", args=(paid_invoice.pk,))
    assert client.post(void, {"reason": "Issued in error"}).status_code == 302
    paid_invoice.refresh_from_db()
    assert paid_invoice.voided_at is not None


def test_the_billing_group_holds_the_documented_permissions():
    codenames = set(Group.objects.get(name="Billing").permissions.values_list("codename", flat=True))

    assert {
        "access_admin",
        "view_payment",
        "add_payment",
        "view_adjustment",
        "add_adjustment",
        "add_client",
        "change_client",
        "view_client",
    } <= codenames
    assert not {"delete_client", "change_payment", "delete_payment"} & codenames


def test_a_moderator_cannot_reprice_a_paid_invoice(superuser, moderator_client, paid_invoice):
    from django.test import Client
    from wagtail.test.utils.form_data import querydict_from_html

    from caseflow_wagtail.models import InvoicePage

    boss = Client()
    boss.force_login(superuser)
    edit_url = reverse("wagtailadmin_pages:edit", args=[paid_invoice.pk])
    data = querydict_from_html(boss.get(edit_url).content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")
    data["lines-0-unit_price"] = "1.00"
    data["action-publish"] = "action-publish"

    response = moderator_client.post(edit_url, data)

    assert response.status_code in (302, 403)
    invoice = InvoicePage.objects.get(pk=paid_invoice.pk)
    assert invoice.total == 321
    assert invoice.latest_revision_id == paid_invoice.latest_revision_id


def test_the_admin_page_search_finds_no_invoice_for_a_moderator(moderator_client, paid_invoice):
    edit_url = reverse("wagtailadmin_pages:edit", args=[paid_invoice.pk])
    for query in ("INV-7001", "Invoice", "Acme"):
        response = moderator_client.get(reverse("wagtailadmin_pages:search"), {"q": query})
        assert response.status_code == 200
        body = response.content.decode()
        assert edit_url not in body
        assert "Invoice INV-7001" not in body
        assert_no_money(body, paid_invoice)


def test_invoices_are_not_sent_to_the_sites_moderation_workflow(client, django_user_model, make_invoice):
    # Wagtail's default "Moderators approval" workflow covers the whole tree; its reviewers are a group, not
    # billing staff, and its review preview shows the invoice with client and amounts.
    clerk = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    clerk.groups.add(Group.objects.get(name="Billing"))
    draft = make_invoice(number="INV-7002", publish=False)
    client.force_login(clerk)

    editor = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk]))

    assert editor.status_code == 200
    body = editor.content.decode()
    assert "action-submit" not in body
    assert draft.get_workflow() is None
    add_url = reverse(
        "wagtailadmin_pages:add", args=["caseflow_wagtail", "invoicepage", draft.get_parent().pk]
    )
    assert "action-submit" not in client.get(add_url).content.decode()
