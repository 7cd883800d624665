"""The account link is the only way to a client's account page, and nothing else reveals it: the same
checks as the invoice link's (tests/test_privacy.py, tests/test_page_tree_privacy.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page

from caseflow_wagtail import ledger
from caseflow_wagtail.models import Client

from ..admin.helpers import pay
from ..test_privacy import InlineCode
from .conftest import account_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(billing_client, make_invoice, django_capture_on_commit_callbacks) -> Client:
    # The search index is updated after commit: run those callbacks, as a real request would.
    with django_capture_on_commit_callbacks(execute=True):
        billing_client.name = "Zebulon Quarrystone Holdings"
        billing_client.save()
        make_invoice(number="QX-7731", lines=[("Advice", "2", "150.00", "20")])
        pay(make_invoice(number="QX-7732"), "100.00")
    billing_client.refresh_from_db()
    return billing_client


@pytest.fixture
def public_page(home_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return home_page.add_child(instance=Page(title="Our fees explained", slug="fees"))


def assert_not_revealed(text: str, client: Client) -> None:
    lowered = text.lower()
    assert client.account_token.lower() not in lowered
    assert "/billing/account/" not in lowered


def off_by_one(token: str) -> str:
    return token[:-1] + ("y" if token.endswith("x") else "x")


# -- the link --------------------------------------------------------------------------------------------


def test_the_account_page_is_served_privately(client, account):
    response = client.get(account_path(account))

    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert '<html lang="en">' in body
    assert "QX-7731" in body


def test_each_client_gets_its_own_token_of_at_least_128_random_bits(db):
    tokens = {Client.objects.create(name=f"Client {n}").account_token for n in range(3)}

    assert len(tokens) == 3
    # URL-safe base64 carries 6 bits a character.
    assert all(len(token) * 6 >= 128 for token in tokens)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_account_link_only_answers_safe_methods(client, account, method):
    assert getattr(client, method)(account_path(account)).status_code == 405


def test_wrong_tokens_are_not_found_with_no_hint(client, account, make_invoice):
    nothing = client.get("/billing/account/not-a-token/")
    invoice = make_invoice()
    refused = [
        client.get(f"/billing/account/{off_by_one(account.account_token)}/"),
        client.get(f"/billing/account/{account.pk}/"),
        # An invoice's token opens that invoice only, never its client's account.
        client.get(f"/billing/account/{invoice.public_token}/"),
        client.get(f"/billing/account/{account.account_token.upper()}/"),
    ]

    assert nothing.status_code == 404
    for response in refused:
        assert response.status_code == 404
        assert response.content == nothing.content
        assert "Zebulon" not in response.content.decode()


def test_the_old_link_stops_working_when_regenerated(client, account):
    old = account_path(account)

    account.regenerate_account_token()

    assert account_path(account) != old
    assert client.get(old).status_code == 404
    assert client.get(account_path(account)).status_code == 200
    assert Client.objects.get(pk=account.pk).account_token == account.account_token


def test_the_page_shows_no_internal_notes_or_stripe_ids(client, account, make_invoice):
    account.notes = "Slow payer; chase weekly"
    account.stripe_customer_id = "cus_SecretCustomer"
    account.save()
    ledger.record_payment(
        make_invoice(number="QX-7733"),
        amount=Decimal("100.00"),
        currency="USD",
        method="card",
        source="webhook",
        reference="BACS 99812",
        note="Paid after a reminder call",
        stripe_payment_intent_id="pi_3SecretIntent",
        stripe_charge_id="ch_3SecretCharge",
    )

    body = client.get(account_path(account)).content.decode()

    assert "QX-7733" in body and "Receipt for $100.00" in body
    for internal in (
        "Slow payer",
        "cus_SecretCustomer",
        "BACS 99812",
        "reminder call",
        "pi_3Secret",
        "ch_3Secret",
    ):
        assert internal not in body


def test_the_page_has_no_inline_scripts_or_styles(client, account):
    response = client.get(account_path(account))
    parser = InlineCode()
    parser.feed(response.content.decode())

    assert {"table", "caption", "main", "h1"} <= parser.tags
    assert parser.found == []


# -- discovery -------------------------------------------------------------------------------------------


def test_the_sitemap_does_not_list_account_pages(client, account, public_page):
    text = client.get("/sitemap.xml").content.decode()

    assert "/fees/" in text
    assert_not_revealed(text, account)


@pytest.mark.parametrize(
    "query_of",
    [lambda c: c.name, lambda c: c.account_token, lambda c: "account"],
    ids=["client", "token", "word"],
)
def test_site_search_does_not_find_account_pages(client, account, public_page, query_of):
    found = client.get("/search/", {"query": "fees explained"}).json()["results"]
    assert [hit["title"] for hit in found] == ["Our fees explained"]

    response = client.get("/search/", {"query": query_of(account)})

    assert response.json()["results"] == []
    assert_not_revealed(response.content.decode(), account)


def test_the_token_is_not_in_the_search_index(account):
    # Clients are indexed for the admin's client search: by name and contact, never by their link.
    assert "account_token" not in {field.field_name for field in Client.search_fields}
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    assert list(backend.search(account.name, Client)) == [account]
    assert list(backend.search(account.account_token, Client)) == []


@pytest.mark.parametrize(
    "params",
    [{}, {"fields": "*"}, {"search": "Zebulon"}, {"search": "account"}, {"type": "wagtailcore.Page"}],
    ids=["all", "all_fields", "search_client", "search_word", "type"],
)
def test_the_pages_api_reveals_no_account_link(client, account, public_page, params):
    response = client.get("/api/v2/pages/", params)

    assert response.status_code == 200
    assert_not_revealed(response.content.decode(), account)


def test_a_superusers_pages_api_reveals_no_account_link(client, account, public_page):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@firm.test", "pw"))

    for params in ({}, {"fields": "*"}, {"search": "Zebulon"}):
        response = client.get("/api/v2/pages/", params)
        assert response.status_code == 200
        assert_not_revealed(response.content.decode(), account)


def test_the_client_form_cannot_set_the_token(admin_client, account):
    # A guessable token chosen in a form would defeat the link: the field is not in the form at all.
    edit_url = reverse("wagtailsnippets_caseflow_wagtail_client:edit", args=(account.pk,))
    before = account.account_token

    response = admin_client.post(
        edit_url,
        {"name": account.name, "send_reminders": "on", "account_token": "guessable"},
    )

    assert response.status_code == 302
    assert Client.objects.get(pk=account.pk).account_token == before
    assert Client.objects.filter(account_token="guessable").count() == 0


def test_a_copied_client_gets_a_link_of_its_own(admin_client, account):
    copy_page = admin_client.get(reverse("wagtailsnippets_caseflow_wagtail_client:copy", args=(account.pk,)))
    add_url = reverse("wagtailsnippets_caseflow_wagtail_client:add")

    assert copy_page.status_code == 200
    body = copy_page.content.decode()
    # The copy's form is posted to the add view, and shows no link until the copy is saved.
    assert f'action="{add_url}"' in body
    assert account.account_token not in body
    admin_client.post(add_url, {"name": "Zebulon Copy", "send_reminders": "on"})

    copy = Client.objects.get(name="Zebulon Copy")
    assert copy.account_token and copy.account_token != Client.objects.get(pk=account.pk).account_token
