from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@firm.test", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def editor(django_user_model, home_page):
    """A member of Wagtail's stock Editors group: may add and edit pages, not publish, no billing rights."""
    user = django_user_model.objects.create_user("ed", "ed@firm.test", "pw")
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(editors)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
