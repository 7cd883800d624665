"""Billing → Clients: the client's account link on its edit page, Copy link and Regenerate link, for billing
staff only, and each new link in the client's history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import ModelLogEntry

from caseflow_wagtail.models import Client

from .conftest import account_path

pytestmark = pytest.mark.django_db

ACTION = "caseflow_wagtail.regenerate_account_link"


def edit_url(client: Client) -> str:
    return reverse("wagtailsnippets_caseflow_wagtail_client:edit", args=(client.pk,))


def regenerate_url(client: Client) -> str:
    return reverse("caseflow_wagtail_admin:regenerate_account_link", args=(client.pk,))


def user_with(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username, f"{username}@firm.test", "pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return user


@pytest.fixture
def clerk(django_user_model, home_page):
    """A member of the ready "Billing" group (view, add and change clients among its permissions)."""
    user = django_user_model.objects.create_user("clerk", "clerk@firm.test", "pw")
    user.groups.add(Group.objects.get(name="Billing"))
    return user


@pytest.fixture
def client_editor(django_user_model, home_page):
    """May edit clients, but has no billing permission: sees no amounts and no private links."""
    return user_with(django_user_model, "receptionist", "view_client", "change_client")


@pytest.fixture
def billing_viewer(django_user_model, home_page):
    """Sees billing and clients, may not change clients."""
    return user_with(django_user_model, "viewer", "view_payment", "view_client")


def test_the_edit_page_shows_the_link_with_copy_and_regenerate(admin_client, billing_client):
    body = admin_client.get(edit_url(billing_client)).content.decode()

    assert f'value="http://localhost{account_path(billing_client)}"' in body
    assert 'data-controller="w-clipboard w-clone"' in body
    assert 'data-action="w-clipboard#copy"' in body and ">Copy link</button>" in body
    assert f'href="{regenerate_url(billing_client)}"' in body


def test_a_new_client_has_its_link_once_saved(admin_client, home_page):
    body = admin_client.get(reverse("wagtailsnippets_caseflow_wagtail_client:add")).content.decode()

    assert "appears here once the client is saved" in body
    assert "/billing/account/" not in body


def test_regenerate_confirms_then_replaces_the_link_and_is_in_the_history(
    admin_client, client, billing_client, make_invoice
):
    make_invoice(number="RG-0001")
    old = account_path(billing_client)

    confirmation = admin_client.get(regenerate_url(billing_client))

    assert confirmation.status_code == 200
    assert "stops working" in confirmation.content.decode()
    assert Client.objects.get(pk=billing_client.pk).account_token == billing_client.account_token

    response = admin_client.post(regenerate_url(billing_client))

    assert response.status_code == 302
    assert response["Location"] == edit_url(billing_client)
    assert [str(m).strip() for m in get_messages(response.wsgi_request)] == [
        "Acme Holdings has a new account link; the old one no longer works."
    ]
    billing_client.refresh_from_db()
    assert account_path(billing_client) != old
    assert client.get(old).status_code == 404
    assert "RG-0001" in client.get(account_path(billing_client)).content.decode()
    entry = ModelLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(billing_client.pk),
        action=ACTION,
    )
    assert entry.user.username == "boss"
    assert entry.message == "Account link regenerated; the old link stopped working"
    history = admin_client.get(
        reverse("wagtailsnippets_caseflow_wagtail_client:history", args=(billing_client.pk,))
    ).content.decode()
    assert "Account link regenerated" in history


def test_billing_staff_who_edit_clients_may_regenerate(client, clerk, billing_client):
    client.force_login(clerk)

    assert f'href="{regenerate_url(billing_client)}"' in client.get(edit_url(billing_client)).content.decode()
    assert client.post(regenerate_url(billing_client)).status_code == 302
    assert Client.objects.get(pk=billing_client.pk).account_token != billing_client.account_token


def test_editing_clients_without_the_billing_permission_shows_no_link(client, client_editor, billing_client):
    client.force_login(client_editor)

    page = client.get(edit_url(billing_client))

    assert page.status_code == 200
    body = page.content.decode()
    assert billing_client.account_token not in body and "/billing/account/" not in body
    for method in (client.get, client.post):
        assert method(regenerate_url(billing_client)).status_code == 403
    assert Client.objects.get(pk=billing_client.pk).account_token == billing_client.account_token
    assert not ModelLogEntry.objects.filter(action=ACTION).exists()


def test_seeing_billing_without_changing_clients_may_not_regenerate(client, billing_viewer, billing_client):
    client.force_login(billing_viewer)

    for method in (client.get, client.post):
        assert method(regenerate_url(billing_client)).status_code == 403
    assert Client.objects.get(pk=billing_client.pk).account_token == billing_client.account_token


def test_anonymous_visitors_are_sent_to_log_in(client, billing_client):
    response = client.post(regenerate_url(billing_client))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Client.objects.get(pk=billing_client.pk).account_token == billing_client.account_token


def test_an_unknown_client_is_404(admin_client, home_page):
    url = reverse("caseflow_wagtail_admin:regenerate_account_link", args=(999999,))

    assert admin_client.get(url).status_code == 404
