"""The emulator's objects have the fields of the pinned API version and the value types of Stripe's own
example objects (fixtures3.json).

stripe-python's resource classes are the pinned version's word on which fields exist and which values an
enum takes; the fixtures, older than the pinned version, show value types. A value may be null where
Stripe's fixture shows an object or a string only if stripe-python types that field as Optional; nested
objects are checked the same way, key by key.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
import stripe

from .scenarios import customer_with_card, monthly_price, pay_session, raw

# Stripe's example objects for the resources served, copied from stripe/openapi's fixtures3.json (MIT).
FIXTURES = Path(__file__).with_name("stripe_fixtures.json")
# The full file, when the repository sits next to the shared reference data.
UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "stripe" / "fixtures3.json"

RESOURCE_CLASSES: dict[str, type] = {
    "customer": stripe.Customer,
    "product": stripe.Product,
    "price": stripe.Price,
    "checkout.session": stripe.checkout.Session,
    "item": stripe.LineItem,
    "payment_intent": stripe.PaymentIntent,
    "payment_method": stripe.PaymentMethod,
    "charge": stripe.Charge,
    "balance_transaction": stripe.BalanceTransaction,
    "refund": stripe.Refund,
    "dispute": stripe.Dispute,
    "setup_intent": stripe.SetupIntent,
    "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem,
    "invoice": stripe.Invoice,
    "line_item": stripe.InvoiceLineItem,
    "invoice_payment": stripe.InvoicePayment,
    "test_helpers.test_clock": stripe.test_helpers.TestClock,
    "billing_portal.session": stripe.billing_portal.Session,
    "billing_portal.configuration": stripe.billing_portal.Configuration,
    "webhook_endpoint": stripe.WebhookEndpoint,
    "event": stripe.Event,
    "deleted_customer": stripe.Customer,
    "deleted_product": stripe.Product,
    "deleted_webhook_endpoint": stripe.WebhookEndpoint,
    "deleted_test_helpers.test_clock": stripe.test_helpers.TestClock,
}

# Deliberate differences from fixtures3.json, each with its reason. Keys are "resource.path".
DIFFERENCES: dict[str, str] = {
    "event.data.object": "an event carries whichever object changed; the fixture shows a plan",
    "webhook_endpoint.secret": "Stripe returns the signing secret only when the endpoint is created",
    "invoice_payment.payment.payment_intent": "the fixture's polymorphic payment omits the variant's id",
    "line_item.pricing.price_details": "the fixture's polymorphic pricing omits the price_details variant",
    "event.data.previous_attributes": "present on *.updated events, as in Stripe",
    "charge.refunds": "not included unless expanded since 2022-11-15; the fixture predates that",
}


def _unwrap(annotation: Any) -> tuple[bool, list[Any]]:
    """(nullable, member types) of an annotation such as Optional[Union[str, Customer]]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(members) != len(typing.get_args(annotation))
        flat: list[Any] = []
        for m in members:
            inner_nullable, inner = _unwrap(m)
            nullable = nullable or inner_nullable
            flat.extend(inner)
        return nullable, flat
    return False, [annotation]


def _nested_class(members: list[Any]) -> tuple[type | None, bool]:
    """The StripeObject class describing a nested dict (or list items), if the annotation names one."""
    for m in members:
        if typing.get_origin(m) in (list, typing.List):  # noqa: UP006
            inner = typing.get_args(m)[0]
            if isinstance(inner, type) and issubclass(inner, stripe.StripeObject):
                return inner, True
        if isinstance(m, type) and issubclass(m, stripe.StripeObject):
            return m, False
    return None, False


def _annotations(cls: type) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(getattr(klass, "__annotations__", {}))
    return merged


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def compare(
    resource: str,
    ours: dict[str, Any],
    fixture: dict[str, Any],
    cls: type | None,
    path: str,
    problems: list[str],
    top: bool,
) -> None:
    hints = _annotations(cls) if cls else {}
    for key in fixture:
        where = f"{path}.{key}"
        if where in DIFFERENCES:
            continue
        # The fixture lags behind the pinned version: a key its types no longer declare is gone.
        if key not in ours and (not hints or key in hints):
            problems.append(f"{where}: missing")
    for key, value in ours.items():
        where = f"{path}.{key}"
        if where in DIFFERENCES:
            continue
        if key not in fixture:
            # Keys newer than the fixture, and variant keys of polymorphic hashes, are fine when the
            # pinned version's types declare them.
            if key not in hints:
                problems.append(f"{where}: not in Stripe's object")
            continue
        expected = fixture[key]
        nullable, members = _unwrap(hints.get(key, Any))
        if value is None:
            if expected is not None and key in hints and not nullable:
                problems.append(f"{where}: null, but Stripe never sends null here")
            continue
        if expected is None:
            continue
        if _kind(value) != _kind(expected):
            # Expandable fields are an id or the object itself.
            if {_kind(value), _kind(expected)} == {"str", "dict"}:
                continue
            problems.append(f"{where}: {_kind(value)} where Stripe has {_kind(expected)}")
            continue
        nested, _is_list = _nested_class(members)
        if isinstance(value, dict) and isinstance(expected, dict) and expected:
            if value.get("object") == "list" and expected.get("object") == "list":
                if value["data"] and expected["data"]:
                    item_resource = expected["data"][0].get("object", "")
                    compare(
                        resource,
                        value["data"][0],
                        expected["data"][0],
                        RESOURCE_CLASSES.get(item_resource),
                        where + ".data[]",
                        problems,
                        False,
                    )
                continue
            if isinstance(value.get("object"), str) and value["object"] in RESOURCE_CLASSES:
                nested = RESOURCE_CLASSES[value["object"]]
            if key == "metadata":
                continue
            compare(resource, value, expected, nested, where, problems, False)
        elif isinstance(value, list) and isinstance(expected, list) and value and expected:
            if isinstance(value[0], dict) and isinstance(expected[0], dict):
                compare(resource, value[0], expected[0], nested, where + "[]", problems, False)
            elif _kind(value[0]) != _kind(expected[0]):
                problems.append(f"{where}[]: {_kind(value[0])} where Stripe has {_kind(expected[0])}")


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


@pytest.fixture
def every_object(stripe_emulator, stripe_client) -> dict[str, dict[str, Any]]:
    """One of each object the emulator serves, fetched as raw JSON."""
    client = stripe_client
    objects: dict[str, dict[str, Any]] = {}

    def get(path: str) -> dict[str, Any]:
        status, body = raw(stripe_emulator, "GET", path)
        assert status == 200, body
        return body

    created = raw(
        stripe_emulator,
        "POST",
        "/v1/webhook_endpoints",
        {"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]},
    )[1]
    objects["webhook_endpoint"] = get(f"/v1/webhook_endpoints/{created['id']}")
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "https://firm.example/ok",
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 9900,
                        "product_data": {"name": "Invoice 7"},
                    },
                    "quantity": 1,
                }
            ],
        }
    )
    objects["item"] = get(f"/v1/checkout/sessions/{session.id}/line_items")["data"][0]
    status, location, _ = pay_session(session.url, "4242424242424242")
    assert status == 303, location
    stripe_emulator.settle()  # asynchronous capture: the charge's balance transaction comes afterwards
    objects["checkout.session"] = get(f"/v1/checkout/sessions/{session.id}")
    pi = get(f"/v1/payment_intents/{objects['checkout.session']['payment_intent']}")
    objects["payment_intent"] = pi
    objects["charge"] = get(f"/v1/charges/{pi['latest_charge']}")
    objects["balance_transaction"] = get(
        f"/v1/balance_transactions/{objects['charge']['balance_transaction']}"
    )
    objects["payment_method"] = get(f"/v1/payment_methods/{pi['payment_method']}")
    refund = client.v1.refunds.create(params={"payment_intent": pi["id"], "amount": 100})
    objects["refund"] = get(f"/v1/refunds/{refund.id}")
    dispute = stripe_emulator.dispute(payment_intent=pi["id"], amount=500)
    objects["dispute"] = get(f"/v1/disputes/{dispute['id']}")

    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": 1_780_000_000})
    objects["test_helpers.test_clock"] = get(f"/v1/test_helpers/test_clocks/{clock.id}")
    customer, _pm = customer_with_card(client, clock=clock.id)
    objects["customer"] = get(f"/v1/customers/{customer.id}")
    price = monthly_price(client)
    objects["price"] = get(f"/v1/prices/{price.id}")
    objects["product"] = get(f"/v1/products/{price.product}")
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    objects["subscription"] = get(f"/v1/subscriptions/{sub.id}")
    objects["subscription_item"] = get(f"/v1/subscription_items/{sub['items'].data[0].id}")
    invoice = get(f"/v1/invoices/{sub.latest_invoice}")
    objects["invoice"] = invoice
    objects["line_item"] = get(f"/v1/invoices/{invoice['id']}/lines")["data"][0]
    objects["invoice_payment"] = get(f"/v1/invoice_payments?invoice={invoice['id']}")["data"][0]
    configuration = raw(
        stripe_emulator,
        "POST",
        "/v1/billing_portal/configurations",
        {"features": {"payment_method_update": {"enabled": "true"}}},
    )[1]
    objects["billing_portal.configuration"] = get(f"/v1/billing_portal/configurations/{configuration['id']}")
    objects["billing_portal.session"] = raw(
        stripe_emulator,
        "POST",
        "/v1/billing_portal/sessions",
        {
            "customer": customer.id,
            "configuration": configuration["id"],
            "return_url": "https://firm.example/account",
            "flow_data": {"type": "payment_method_update"},
        },
    )[1]
    setup = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "customer": customer.id,
            "success_url": "https://firm.example/ok",
        }
    )
    pay_session(setup.url, "4242424242424242")
    objects["setup_intent"] = get(
        f"/v1/setup_intents/{get(f'/v1/checkout/sessions/{setup.id}')['setup_intent']}"
    )
    objects["event"] = get("/v1/events?type=customer.subscription.updated")["data"][0]

    objects["deleted_webhook_endpoint"] = raw(
        stripe_emulator, "DELETE", f"/v1/webhook_endpoints/{created['id']}"
    )[1]
    spare = client.v1.customers.create()
    objects["deleted_customer"] = raw(stripe_emulator, "DELETE", f"/v1/customers/{spare.id}")[1]
    loose = client.v1.products.create(params={"name": "Unused"})
    objects["deleted_product"] = raw(stripe_emulator, "DELETE", f"/v1/products/{loose.id}")[1]
    other_clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": 1_780_000_000})
    objects["deleted_test_helpers.test_clock"] = raw(
        stripe_emulator, "DELETE", f"/v1/test_helpers/test_clocks/{other_clock.id}"
    )[1]
    return objects


def test_every_resource_matches_stripes_shape(every_object, fixtures):
    problems: list[str] = []
    for resource, ours in every_object.items():
        compare(resource, ours, fixtures[resource], RESOURCE_CLASSES[resource], resource, problems, True)
    assert not problems, "\n".join(problems)
    assert set(every_object) == set(RESOURCE_CLASSES)


def test_copied_fixtures_match_upstream(fixtures):
    if not UPSTREAM.exists():
        pytest.skip("the shared fixtures3.json is not next to this checkout")
    upstream = json.loads(UPSTREAM.read_text())["resources"]
    assert fixtures == {name: upstream[name] for name in fixtures}


def test_differences_are_few_and_explained():
    assert all(reason for reason in DIFFERENCES.values())
    assert len(DIFFERENCES) <= 8


def test_compare_catches_a_wrong_type_and_a_missing_key(fixtures):
    wrong = json.loads(json.dumps(fixtures["customer"]))
    wrong["balance"] = "0"
    del wrong["email"]
    problems: list[str] = []
    compare("customer", wrong, fixtures["customer"], stripe.Customer, "customer", problems, True)
    assert "customer.balance: str where Stripe has number" in problems
    assert "customer.email: missing" in problems


# The pinned API version's own description of each object is stripe-python's resource classes: a key the
# class does not declare does not exist at that version (fixtures3.json lags behind), and an enum field
# holds one of the values the class lists. Whether a declared key is always sent is not in the classes
# (Stripe omits some optional keys and sparse hashes), so presence is checked for the fields the product
# relies on at this version, each with its source.
PRESENT_AT_PINNED: dict[str, str] = {
    "checkout.session.allowed_payment_method_types": "2026-10-28 names the choice of payment methods",
    "payment_intent.allowed_payment_method_types": "2026-10-28 names the choice of payment methods",
    "payment_intent.capture_method": "automatic_async by default (docs: asynchronous capture)",
    "dispute.evidence_details.submission_method": "manual, not_submitted or smart_disputes",
    "invoice.parent": "basil 2025-03-31: the subscription moved to parent.subscription_details",
    "invoice.hosted_invoice_url": "set when an invoice is finalised",
    "checkout.session.ui_mode": "hosted_page by default",
    "subscription_item.current_period_end": "basil 2025-03-31: periods live on the items",
}


def _literals(members: list[Any]) -> frozenset[str] | None:
    values: set[str] = set()
    for member in members:
        if typing.get_origin(member) is typing.Literal:
            values.update(str(v) for v in typing.get_args(member))
    return frozenset(values) or None


def pinned_shape(ours: dict[str, Any], cls: type, path: str, problems: list[str]) -> None:
    hints = {
        k: v
        for k, v in _annotations(cls).items()
        if not k.startswith("_") and not k.isupper() and typing.get_origin(v) is not typing.ClassVar
    }
    for key, value in ours.items():
        where = f"{path}.{key}"
        if key not in hints:
            problems.append(f"{where}: not a field at the pinned API version")
            continue
        if value is None or key == "metadata":
            continue
        _nullable, members = _unwrap(hints[key])
        choices = _literals(members)
        if choices and isinstance(value, str) and value not in choices:
            problems.append(f"{where}: {value!r} is not one of {sorted(choices)}")
        nested, _is_list = _nested_class(members)
        items = value["data"] if isinstance(value, dict) and value.get("object") == "list" else value
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, dict):
                if choices and isinstance(items, list) and isinstance(item, str) and item not in choices:
                    problems.append(f"{where}[]: {item!r} is not one of {sorted(choices)}")
                continue
            kind = item.get("object")
            item_cls = RESOURCE_CLASSES.get(kind) if isinstance(kind, str) and kind != "list" else nested
            if item_cls is not None and where not in DIFFERENCES:
                pinned_shape(item, item_cls, where, problems)


def test_every_resource_has_the_pinned_versions_fields(every_object):
    problems: list[str] = []
    for resource, ours in every_object.items():
        pinned_shape(ours, RESOURCE_CLASSES[resource], resource, problems)
    for path in PRESENT_AT_PINNED:
        resource, *keys = (
            path.split(".")
            if not path.startswith("checkout.")
            else ["checkout.session", *path.split(".")[2:]]
        )
        value: Any = every_object[resource]
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                problems.append(f"{path}: missing")
                break
            value = value[key]
    assert not problems, "\n".join(problems)


def test_pinned_shape_catches_a_removed_field_a_missing_one_and_a_bad_enum(fixtures):
    invoice = {key: None for key in _annotations(stripe.Invoice) if not key.startswith("_")}
    invoice.update(object="invoice", status="paid_in_full", subscription="sub_1")
    problems: list[str] = []
    pinned_shape(invoice, stripe.Invoice, "invoice", problems)
    assert "invoice.subscription: not a field at the pinned API version" in problems
    assert any(p.startswith("invoice.status: 'paid_in_full' is not one of") for p in problems)
