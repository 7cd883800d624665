from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, home_page):
    user = django_user_model.objects.create_user("editor", "editor@firm.test", "pw")
    group = Group.objects.create(name="Editors without payment settings")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


def test_editor_without_permission_sees_no_menu_item_and_gets_403(client, editor, gateway_url):
    client.force_login(editor)
    site = Site.objects.get(is_default_site=True)

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    assert "Payment Gateways" not in dashboard.content.decode()

    for url in (
        gateway_url,
        reverse("caseflow_wagtail_gateway:webhook_setup", args=[site.pk]),
        reverse("caseflow_wagtail_gateway:webhook_secret", args=[site.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_superuser_sees_the_menu_item(admin_client, home_page):
    assert "Payment Gateways" in admin_client.get(reverse("wagtailadmin_home")).content.decode()
