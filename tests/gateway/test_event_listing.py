"""Listing events for the sync: Stripe's ``types`` filter takes at most 20 names a request."""

from __future__ import annotations

from caseflow_wagtail.stripe_api import StripeGateway


def test_more_than_20_event_types_are_listed_in_groups_oldest_first(stripe_settings, emulator):
    emulator.reset()
    client = emulator.stripe_client()
    customer = client.v1.customers.create(params={"email": "first@example.com"})
    client.v1.customers.update(customer.id, params={"name": "Renamed"})
    client.v1.products.create(params={"name": "Retainer"})
    types = ["customer.created", "customer.updated", "product.created"]
    types += [f"invoice.unused_{i}" for i in range(25)]

    events = StripeGateway(emulator.secret_key).events_since(0, types)

    assert sorted(e["type"] for e in events) == ["customer.created", "customer.updated", "product.created"]
    customer_events = [e["type"] for e in events if e["type"].startswith("customer.")]
    assert customer_events == ["customer.created", "customer.updated"]
    assert [e["created"] for e in events] == sorted(e["created"] for e in events)
    listed = emulator.requests(method="GET", path="/v1/events")
    assert len(listed) == 2 and all(len(r["params"]["types"]) <= 20 for r in listed)
