from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_token_link_serves_the_invoice_with_private_headers(client, make_invoice):
    invoice = make_invoice(lines=[("Advice on contract", "2", "150.00", None)])

    response = client.get(invoice.url)

    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert invoice.invoice_number in body
    assert "Advice on contract" in body
    assert "$300.00" in body


def test_slug_path_is_not_found(client, make_invoice):
    invoice = make_invoice()

    assert client.get(invoice.url).status_code == 200
    assert client.get(f"/{invoice.get_parent().slug}/{invoice.slug}/").status_code == 404
    assert client.get(f"/{invoice.get_parent().slug}/").status_code == 404


def test_draft_is_not_public(client, make_invoice):
    invoice = make_invoice(publish=False)

    assert client.get(f"/billing/invoice/{invoice.public_token}/").status_code == 404


@pytest.fixture
def firm(home_page):
    from wagtail.models import Site

    from caseflow_wagtail.models import BillingSettings

    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = "Harbour & Finch LLP"
    billing.billing_email = "accounts@harbourfinch.test"
    billing.save()
    return billing


def assert_friendly_not_found(response, *, secrets=()) -> None:
    assert response.status_code == 404
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    body = response.content.decode()
    assert "replaced by a newer one" in body
    assert "Harbour &amp; Finch LLP" in body
    assert 'href="mailto:accounts@harbourfinch.test"' in body
    for secret in secrets:
        assert secret not in body


def test_a_wrong_or_replaced_invoice_link_gets_a_page_that_helps_and_reveals_nothing(
    client, make_invoice, firm
):
    draft = make_invoice(
        number="INV-SECRET", publish=False, lines=[("Sensitive advice", "1", "990.00", None)]
    )
    secrets = ("INV-SECRET", "Sensitive advice", "$990.00", "Acme Holdings")

    for url in (
        "/billing/invoice/not-a-real-token/",
        f"/billing/invoice/{draft.public_token}/",
        f"/billing/invoice/{draft.public_token}/pdf/",
        "/billing/invoice/not-a-real-token/cancelled/",
        "/billing/account/not-a-real-token/",
    ):
        assert_friendly_not_found(client.get(url), secrets=secrets)
    assert_friendly_not_found(client.post("/billing/invoice/not-a-real-token/pay/"), secrets=secrets)


def test_the_host_sites_own_404s_are_left_alone(client, make_invoice, firm):
    invoice = make_invoice()

    response = client.get(f"/{invoice.get_parent().slug}/{invoice.slug}/")

    assert response.status_code == 404
    assert "replaced by a newer one" not in response.content.decode()
