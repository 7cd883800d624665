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
