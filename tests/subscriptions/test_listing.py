"""Billing → Subscriptions: columns, filters, constant queries, permissions."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def next_charge_cell(body: str) -> str:
    """The text of the listing's next-charge cell for the only row (tags and spacing dropped)."""
    row = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    assert row, "the listing has no rows"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    # Client, amount, currency, interval, status, next charge, card (after the bulk-select cell if any).
    text = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    return text[-2]


@pytest.mark.django_db
def test_a_charge_due_in_three_weeks_shows_its_date_and_how_far_off_it_is(staff, home_page):
    make_subscriptions(1, home_page.get_site())
    due = timezone.now() + timedelta(days=21, hours=2)
    Subscription.objects.update(status=SubscriptionStatus.ACTIVE, current_period_end=due)

    cell = next_charge_cell(staff.get(INDEX).content.decode())

    assert due.strftime("%Y-%m-%d") in cell, cell
    assert "in 3 weeks" in cell, cell
    assert "just now" not in cell.lower() and "ago" not in cell, cell


@pytest.mark.django_db
def test_a_charge_due_later_today_names_the_day_not_the_past(staff, home_page):
    make_subscriptions(1, home_page.get_site())
    due = timezone.now() + timedelta(minutes=30)
    Subscription.objects.update(status=SubscriptionStatus.ACTIVE, current_period_end=due)

    cell = next_charge_cell(staff.get(INDEX).content.decode())

    assert due.strftime("%Y-%m-%d") in cell, cell
    assert "just now" not in cell.lower() and "ago" not in cell, cell


@pytest.mark.django_db
def test_nothing_more_to_charge_leaves_the_cell_empty(staff, home_page):
    make_subscriptions(1, home_page.get_site())
    Subscription.objects.update(
        status=SubscriptionStatus.CANCELED, current_period_end=timezone.now() + timedelta(days=5)
    )

    assert next_charge_cell(staff.get(INDEX).content.decode()) == ""
