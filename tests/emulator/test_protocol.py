"""Stripe's HTTP protocol.

Keys, form encoding, unknown parameters, idempotency, pagination, errors and injected faults.
"""

from __future__ import annotations

import base64

import pytest
import stripe

from caseflow_wagtail.testing.stripe_emulator._forms import parse_form

from .scenarios import http, raw


def test_form_bracket_notation_decodes_nested_values():
    parsed = parse_form(
        "line_items[0][price_data][product_data][name]=Fee&line_items[0][quantity]=2"
        "&line_items[1][price]=price_1&expand[]=payment_intent&expand[]=customer&metadata[0]=zero"
        "&metadata[note]=&flag=true"
    )
    assert parsed == {
        "line_items": [
            {"price_data": {"product_data": {"name": "Fee"}}, "quantity": "2"},
            {"price": "price_1"},
        ],
        "expand": ["payment_intent", "customer"],
        "metadata": {"0": "zero", "note": ""},
        "flag": "true",
    }


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        (None, "You did not provide an API key"),
        ("Bearer pk_test_abcdefghijkl", "publishable API key"),
        ("Bearer sk_live_abcdefghijkl", "only accepts test mode keys"),
        ("Bearer nonsense", "Invalid API Key provided"),
    ],
)
def test_bad_keys_get_401_in_stripes_error_shape(stripe_emulator, authorization, fragment):
    headers = {"Authorization": authorization} if authorization else {}
    status, _, text = http("GET", f"{stripe_emulator.base_url}/v1/customers", headers=headers)
    assert status == 401
    import json

    error = json.loads(text)["error"]
    assert error["type"] == "invalid_request_error"
    assert fragment in error["message"]


def test_publishable_and_live_keys_raise_authentication_error(stripe_emulator):
    for key in (stripe_emulator.publishable_key, "sk_live_123456789012"):
        client = stripe.StripeClient(key, base_addresses={"api": stripe_emulator.base_url})
        with pytest.raises(stripe.AuthenticationError) as caught:
            client.v1.customers.list()
        assert caught.value.http_status == 401


def test_basic_auth_is_accepted(stripe_emulator):
    token = base64.b64encode(f"{stripe_emulator.secret_key}:".encode()).decode()
    status, _, _ = http(
        "GET", f"{stripe_emulator.base_url}/v1/customers", headers={"Authorization": f"Basic {token}"}
    )
    assert status == 200


def test_each_secret_key_is_its_own_account(stripe_emulator, stripe_client):
    stripe_client.v1.customers.create(params={"email": "mine@example.com"})
    other = stripe.StripeClient("sk_test_another_firm_123", base_addresses={"api": stripe_emulator.base_url})
    assert other.v1.customers.list().data == []
    assert len(stripe_client.v1.customers.list().data) == 1


def test_unknown_parameters_are_named(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create(params={"emial": "x@example.com"})  # type: ignore[typeddict-unknown-key]
    assert caught.value.param == "emial"
    assert caught.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "success_url": "https://firm.example/ok",
                "line_items": [
                    {
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": 100,
                            "product_data": {"name": "x"},
                            "colour": "red",
                        },
                        "quantity": 1,
                    }
                ],  # type: ignore[typeddict-unknown-key]
            }
        )
    assert caught.value.param == "line_items[0][price_data][colour]"


def test_missing_and_invalid_values(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.create(params={"currency": "usd"})  # type: ignore[typeddict-item]
    assert caught.value.param == "amount"
    assert caught.value.code == "parameter_missing"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.create(params={"amount": 10, "currency": "usd"})
    assert caught.value.code == "amount_too_small"


def test_missing_object_is_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.retrieve("cus_nothere")
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert caught.value.param == "id"


def test_unknown_url_is_404(stripe_emulator):
    status, body = raw(stripe_emulator, "GET", "/v1/nothing_here")
    assert status == 404
    assert "Unrecognized request URL" in body["error"]["message"]


def test_idempotency_key_replays_and_detects_other_parameters(stripe_emulator, stripe_client):
    options = {"idempotency_key": "invoice-42-v1"}
    first = stripe_client.v1.customers.create(params={"email": "a@example.com"}, options=options)
    again = stripe_client.v1.customers.create(params={"email": "a@example.com"}, options=options)
    assert again.id == first.id
    assert len(stripe_client.v1.customers.list().data) == 1
    replayed = [r for r in stripe_emulator.requests(path="/v1/customers", method="POST")]
    assert [r["idempotency_key"] for r in replayed] == ["invoice-42-v1", "invoice-42-v1"]
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.create(params={"email": "b@example.com"}, options=options)


def test_replay_has_header_and_declines_are_replayed(stripe_emulator):
    params = {"amount": 2000, "currency": "usd", "payment_method": "pm_card_chargeDeclined", "confirm": True}
    headers = {"Idempotency-Key": "pay-1"}
    first = raw(stripe_emulator, "POST", "/v1/payment_intents", params, headers=headers)
    second = raw(stripe_emulator, "POST", "/v1/payment_intents", params, headers=headers)
    assert first[0] == second[0] == 402
    assert first[1] == second[1]
    status, response_headers, _ = http(
        "POST",
        f"{stripe_emulator.base_url}/v1/customers",
        body=b"email=x%40example.com",
        headers={"Authorization": f"Bearer {stripe_emulator.secret_key}", "Idempotency-Key": "c-1"},
    )
    status, response_headers, _ = http(
        "POST",
        f"{stripe_emulator.base_url}/v1/customers",
        body=b"email=x%40example.com",
        headers={"Authorization": f"Bearer {stripe_emulator.secret_key}", "Idempotency-Key": "c-1"},
    )
    assert status == 200
    assert response_headers["Idempotent-Replayed"] == "true"


def test_pagination(stripe_client):
    ids = [stripe_client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(7)]
    page = stripe_client.v1.customers.list(params={"limit": 3})
    assert [c.id for c in page.data] == ids[::-1][:3]
    assert page.has_more
    page2 = stripe_client.v1.customers.list(params={"limit": 3, "starting_after": page.data[-1].id})
    assert [c.id for c in page2.data] == ids[::-1][3:6]
    before = stripe_client.v1.customers.list(params={"limit": 2, "ending_before": page2.data[0].id})
    assert [c.id for c in before.data] == ids[::-1][1:3]
    assert [c.id for c in stripe_client.v1.customers.list(params={"limit": 2}).auto_paging_iter()] == ids[
        ::-1
    ]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.list(params={"limit": 101})
    assert caught.value.param == "limit"


def test_expand_nested_and_in_lists(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "automatic",  # synchronous: the balance transaction is there to expand
            "expand": ["latest_charge.balance_transaction", "payment_method"],
        }
    )
    assert pi.latest_charge.balance_transaction.fee == 59
    assert pi.payment_method.card.last4 == "4242"
    charges = stripe_client.v1.charges.list(params={"expand": ["data.payment_intent"]})
    assert charges.data[0].payment_intent.id == pi.id
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["amount"]})


def test_injected_500_and_429_then_recovery(stripe_emulator, stripe_client):
    stripe_emulator.fail_next("/v1/customers", status=500, count=1, method="POST")
    with pytest.raises(stripe.APIError) as caught:
        stripe_client.v1.customers.create()
    assert caught.value.http_status == 500
    stripe_client.v1.customers.create()
    stripe_emulator.fail_next("/v1/*", status=429, count=1)
    with pytest.raises(stripe.RateLimitError):
        stripe_client.v1.customers.list()
    stripe_client.v1.customers.list()


def test_stripe_client_retries_a_500_with_the_same_idempotency_key(stripe_emulator):
    client = stripe_emulator.stripe_client(max_network_retries=2)
    stripe_emulator.fail_next("/v1/customers", status=500, count=1, method="POST")
    customer = client.v1.customers.create(params={"email": "retry@example.com"})
    posts = stripe_emulator.requests(method="POST", path="/v1/customers")
    assert [p["status"] for p in posts] == [500, 200]
    assert posts[0]["idempotency_key"] == posts[1]["idempotency_key"]
    assert len(client.v1.customers.list().data) == 1
    assert customer.email == "retry@example.com"


def test_injected_delay_times_out_the_client(stripe_emulator):
    client = stripe.StripeClient(
        stripe_emulator.secret_key,
        base_addresses={"api": stripe_emulator.base_url},
        http_client=stripe.RequestsClient(timeout=0.3),
        max_network_retries=0,
    )
    # Without the client's timeout the call would succeed once the delay is over.
    stripe_emulator.delay_next("/v1/customers", seconds=3, count=1)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.list()
    stripe_emulator.clear_faults()


def test_request_log_records_params(stripe_emulator, stripe_client):
    stripe_client.v1.customers.create(params={"email": "log@example.com", "metadata": {"k": "v"}})
    entry = stripe_emulator.requests(method="POST", path="/v1/customers")[-1]
    assert entry["params"] == {"email": "log@example.com", "metadata": {"k": "v"}}
    assert entry["status"] == 200


def test_parameters_stripe_knows_but_the_emulator_ignores_are_reported(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create(params={"email": "t@example.com", "tax_exempt": "none"})
    entry = stripe_emulator.requests(method="POST", path="/v1/customers")[-1]
    assert entry["ignored_params"] == ["tax_exempt"]
    status, headers, _ = http(
        "POST",
        f"{stripe_emulator.base_url}/v1/customers/{customer.id}",
        body=b"name=Jo",
        headers={"Authorization": f"Bearer {stripe_emulator.secret_key}"},
    )
    assert status == 200 and "Emulator-Ignored-Params" not in headers


def test_no_parameter_of_the_usual_calls_is_ignored(stripe_emulator, stripe_client):
    from .scenarios import checkout_session, customer_with_card, monthly_price

    checkout_session(stripe_client, customer_email="c@example.com", expand=["line_items"])
    customer, _pm = customer_with_card(stripe_client)
    price = monthly_price(stripe_client)
    stripe_client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id, "quantity": 2}],
            "metadata": {"m": "1"},
        }
    )
    configuration = stripe_client.v1.billing_portal.configurations.create(
        params={
            "business_profile": {"headline": "Update your card"},
            "default_return_url": "https://firm.example/a",
            "features": {
                "payment_method_update": {"enabled": True},
                "customer_update": {"enabled": False},
                "invoice_history": {"enabled": False},
                "subscription_cancel": {"enabled": False},
                "subscription_update": {"enabled": False},
            },
            "metadata": {"caseflow": "1"},
        }
    )
    stripe_client.v1.billing_portal.configurations.update(
        configuration.id, params={"business_profile": {"headline": "Replace your card"}}
    )
    stripe_client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": configuration.id,
            "return_url": "https://firm.example/a",
        }
    )
    ignored = [
        (r["path"], r.get("ignored_params")) for r in stripe_emulator.requests() if r.get("ignored_params")
    ]
    assert ignored == []


def test_enum_values_are_checked_against_stripes_lists(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.create(
            params={"url": "https://firm.example/hook", "enabled_events": ["checkout.session.complete"]}
        )
    assert caught.value.param == "enabled_events[0]"
    assert "must be one of" in caught.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"charge": "ch_x", "reason": "changed_mind"})  # type: ignore[typeddict-item]
    assert caught.value.param == "reason"


def test_card_is_the_only_payment_method_type(stripe_client):
    from .scenarios import checkout_session

    session = checkout_session(stripe_client, allowed_payment_method_types=["card"])
    assert session.payment_method_types == ["card"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout_session(stripe_client, allowed_payment_method_types=["klarna"])
    assert caught.value.param == "allowed_payment_method_types"


def _post(emulator, path: str, params: dict, key: str) -> tuple[int, dict, bool]:
    from urllib.parse import urlencode

    from caseflow_wagtail.testing.stripe_emulator._forms import encode_form

    status, headers, text = http(
        "POST",
        f"{emulator.base_url}{path}",
        body=urlencode(encode_form(params)).encode(),
        headers={"Authorization": f"Bearer {emulator.secret_key}", "Idempotency-Key": key},
    )
    import json

    return status, json.loads(text), headers.get("Idempotent-Replayed") == "true"


def test_a_400_from_a_request_that_began_executing_is_replayed(stripe_emulator):
    # Stripe: results are saved once an endpoint started executing, errors included.
    params = {"amount": 10, "currency": "usd"}
    first = _post(stripe_emulator, "/v1/payment_intents", params, "too-small-1")
    second = _post(stripe_emulator, "/v1/payment_intents", params, "too-small-1")
    assert first[0] == second[0] == 400 and first[1]["error"]["code"] == "amount_too_small"
    assert (first[2], second[2]) == (False, True)
    assert second[1] == first[1]


def test_parameters_refused_before_execution_leave_the_key_unused(stripe_emulator):
    refused = _post(stripe_emulator, "/v1/customers", {"colour": "red"}, "cus-key-1")
    assert refused[0] == 400 and refused[1]["error"]["code"] == "parameter_unknown"
    created = _post(stripe_emulator, "/v1/customers", {"email": "a@example.com"}, "cus-key-1")
    assert created[0] == 200 and created[1]["email"] == "a@example.com" and not created[2]


def test_a_500_in_mid_request_is_kept_and_replayed(stripe_emulator, stripe_client):
    stripe_emulator.fail_next("/v1/customers", status=500, method="POST", after=True)
    first = _post(stripe_emulator, "/v1/customers", {"email": "mid@example.com"}, "cus-500")
    again = _post(stripe_emulator, "/v1/customers", {"email": "mid@example.com"}, "cus-500")
    assert first[0] == again[0] == 500 and again[2]
    # The request was carried out before it failed: the customer exists, once.
    assert [c.email for c in stripe_client.v1.customers.list().data] == ["mid@example.com"]


def test_idempotency_keys_are_kept_for_24_hours_of_the_emulators_clock(stripe_emulator, stripe_client):
    first = _post(stripe_emulator, "/v1/customers", {"email": "day@example.com"}, "daily")
    stripe_emulator.travel(23 * 3600)
    assert _post(stripe_emulator, "/v1/customers", {"email": "other@example.com"}, "daily")[0] == 400
    stripe_emulator.travel(3600)
    later = _post(stripe_emulator, "/v1/customers", {"email": "other@example.com"}, "daily")
    assert later[0] == 200 and later[1]["id"] != first[1]["id"] and not later[2]


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"amount": "1000.9", "currency": "usd"}, "amount", "parameter_invalid_integer"),
        ({"amount": "true", "currency": "usd"}, "amount", "parameter_invalid_integer"),
        ({"amount": "1_000", "currency": "usd"}, "amount", "parameter_invalid_integer"),
        ({"amount": "1000", "currency": "usd", "confirm": "yes"}, "confirm", "parameter_invalid"),
        ({"amount": "1000", "currency": "usd", "colour": "red"}, "colour", "parameter_unknown"),
    ],
)
def test_values_of_the_wrong_type_are_refused_not_coerced(stripe_emulator, params, param, code):
    # The rules come from stripe-python's params types for the pinned version.
    status, body = raw(stripe_emulator, "POST", "/v1/payment_intents", params)
    assert status == 400
    assert (body["error"]["param"], body["error"]["code"]) == (param, code)
    assert raw(stripe_emulator, "GET", "/v1/payment_intents")[1]["data"] == []


def test_nested_values_are_type_checked_too(stripe_emulator):
    status, body = raw(
        stripe_emulator,
        "POST",
        "/v1/checkout/sessions",
        {
            "mode": "payment",
            "success_url": "https://firm.example/ok",
            "line_items": [
                {
                    "price_data": {"currency": "usd", "unit_amount": "99.5", "product_data": {"name": "x"}},
                    "quantity": "1",
                }
            ],
        },
    )
    assert status == 400
    assert body["error"]["param"] == "line_items[0][price_data][unit_amount]"


def test_event_types_filter_takes_at_most_20_exact_names(stripe_emulator, stripe_client):
    stripe_client.v1.customers.create()
    names = [f"customer.kind{i}" for i in range(20)]
    ok = raw(stripe_emulator, "GET", "/v1/events", {"types": ["customer.created", *names[:19]]})
    assert ok[0] == 200 and [e["type"] for e in ok[1]["data"]] == ["customer.created"]
    too_many = raw(stripe_emulator, "GET", "/v1/events", {"types": ["customer.created", *names]})
    assert too_many[0] == 400 and too_many[1]["error"]["param"] == "types"
    wildcard = raw(stripe_emulator, "GET", "/v1/events", {"types": ["customer.*"]})
    assert wildcard[0] == 400
    assert raw(stripe_emulator, "GET", "/v1/events", {"type": "customer.*"})[1]["data"]
