"""Billing → Subscriptions: columns, filters, constant queries, permissions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseflow_wagtail.models import Client, Subscription, SubscriptionStatus

INDEX = "/admin/billing/subscriptions/"


def make_subscriptions(count: int, site, start: int = 0) -> None:
    clients = Client.objects.bulk_create(
        [Client(name=f"Client {n:04d}", contact_email=f"c{n}@x.test") for n in range(start, start + count)]
    )
    statuses = [SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.INCOMPLETE]
    Subscription.objects.bulk_create(
        [
            Subscription(
                client=client,
                site=site,
                description="Monthly retainer",
                amount=Decimal("100.00") + n,
                currency="USD",
                interval="monthly",
                status=statuses[n % 3],
                card_brand="visa",
                card_last4="4242",
                stripe_subscription_id=f"sub_{start + n}",
            )
            for n, client in enumerate(clients)
        ]
    )


def rows(response) -> set[str]:
    """The clients named in the listing's rows (the client filter's options also name them)."""
    return set(re.findall(r">\s*(Client \d{4})\s*</a>", response.content.decode()))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_list_makes_as_many_queries_for_1000_subscriptions_as_for_10(staff, home_page):
    site = home_page.get_site()
    make_subscriptions(10, site)
    staff.get(INDEX)  # warm per-process caches
    with_ten = queries_for(staff, INDEX)

    make_subscriptions(990, site, start=10)
    with_thousand = queries_for(staff, INDEX)

    assert with_ten > 0
    assert with_ten == with_thousand, (with_ten, with_thousand)
    print(f"subscriptions list queries: 10 rows → {with_ten}, 1,000 rows → {with_thousand}")


@pytest.mark.django_db
def test_columns_filters_and_past_due_notice(staff, home_page):
    site = home_page.get_site()
    make_subscriptions(6, site)
    body = staff.get(INDEX).content.decode()
    for text in ("Client 0000", "$100.00", "USD", "Monthly", "Active", "Past due", "Visa •••• 4242"):
        assert text in body, text
    assert "2 subscription(s) are Past Due" in body

    past_due = rows(staff.get(INDEX, {"status": "past_due"}))
    assert past_due == {"Client 0001", "Client 0004"}
    one = Client.objects.get(name="Client 0002")
    assert rows(staff.get(INDEX, {"client": one.pk})) == {"Client 0002"}


@pytest.mark.django_db
def test_staff_without_the_permission_get_403(client, django_user_model, home_page):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ed", "ed@firm.test", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    make_subscriptions(1, home_page.get_site())
    subscription = Subscription.objects.get()

    assert client.get(INDEX).status_code == 403
    assert client.get(reverse("caseflow_subscriptions:add")).status_code == 403
    assert client.get(reverse("caseflow_subscriptions:inspect", args=[subscription.pk])).status_code == 403
    assert (
        client.post(
            reverse("caseflow_subscriptions:cancel", args=[subscription.pk]), {"when": "now"}
        ).status_code
        == 403
    )
