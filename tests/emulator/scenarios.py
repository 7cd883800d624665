"""Shared scenario builders for the emulator tests."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from typing import Any

import stripe

from caseflow_wagtail.testing import EmulatorClient


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(
    method: str,
    url: str,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], str]:
    """A raw request that does not follow redirects: (status, headers, text)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read().decode()


def pay_session(
    session_url: str, card: str, exp: str = "12 / 34", cvc: str = "123", email: str = "client@example.com"
) -> tuple[int, str, str]:
    """Submit the hosted Checkout form; returns (status, Location header, page text)."""
    status, headers, text = http(
        "POST", session_url, {"email": email, "cardnumber": card, "exp": exp, "cvc": cvc, "name": "Jo Client"}
    )
    return status, headers.get("Location", ""), text


def complete_3ds(location: str, outcome: str = "complete") -> tuple[int, str]:
    status, headers, _ = http("POST", location, {"outcome": outcome})
    return status, headers.get("Location", "")


def checkout_session(
    client: stripe.StripeClient, amount: int = 12500, currency: str = "usd", **extra: Any
) -> stripe.checkout.Session:
    params: dict[str, Any] = {
        "mode": "payment",
        "success_url": "https://firm.example/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://firm.example/invoice",
        "line_items": [
            {
                "price_data": {
                    "currency": currency,
                    "unit_amount": amount,
                    "product_data": {"name": "Invoice INV-0042"},
                },
                "quantity": 1,
            }
        ],
        "metadata": {"invoice": "42"},
        "client_reference_id": "inv-42",
        "payment_intent_data": {"description": "Invoice INV-0042", "metadata": {"invoice": "42"}},
    }
    params.update(extra)
    return client.v1.checkout.sessions.create(params=params)


def monthly_price(client: stripe.StripeClient, amount: int = 50000) -> stripe.Price:
    product = client.v1.products.create(params={"name": "Monthly retainer"})
    return client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": amount,
            "currency": "usd",
            "recurring": {"interval": "month"},
        }
    )


def customer_with_card(
    client: stripe.StripeClient, card: str = "pm_card_visa", clock: str | None = None
) -> tuple[stripe.Customer, str]:
    params: dict[str, Any] = {"email": "client@example.com", "name": "Jo Client"}
    if clock:
        params["test_clock"] = clock
    customer = client.v1.customers.create(params=params)
    pm = client.v1.payment_methods.attach(card, params={"customer": customer.id})
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    return customer, pm.id


def event_types(client: stripe.StripeClient) -> list[str]:
    """Event types, oldest first (up to 100)."""
    events = client.v1.events.list(params={"limit": 100})
    return [e.type for e in reversed(events.data)]


SESSION_ID = re.compile(r"cs_test_[A-Za-z0-9]+")


def raw(
    emulator: EmulatorClient,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """A Stripe API call without stripe-python, returning (status, decoded JSON)."""
    import json

    from caseflow_wagtail.testing.stripe_emulator._forms import encode_form

    all_headers = {"Authorization": f"Bearer {key or emulator.secret_key}", **(headers or {})}
    encoded = urllib.parse.urlencode(encode_form(params or {}))
    url = f"{emulator.base_url}{path}"
    if method == "POST":
        status, _, text = http(
            method,
            url,
            body=encoded.encode(),
            headers={**all_headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        status, _, text = http(method, url + (f"?{encoded}" if encoded else ""), headers=all_headers)
    return status, json.loads(text)
