"""Once money is recorded against an invoice its currency is fixed for every revision (issue 11, defect 4):
a stale draft in another currency cannot be published, from the editor or any other publishing path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseflow_wagtail import ledger
from caseflow_wagtail.models import InvoicePage

from .test_invoice_create import all_errors, invoice_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale_eur_draft(make_invoice):
    """Published in GBP; an editor saves a draft in EUR; then the client pays £200 in GBP."""
    invoice = make_invoice(lines=[("Advice", "1", "200.00", None)], currency="GBP", number="CL-1")
    draft = invoice.get_latest_revision_as_object()
    draft.currency = "EUR"
    draft.save_revision()
    ledger.record_payment(invoice.pk, amount=Decimal("200.00"), currency="GBP", method="bank_transfer")
    return InvoicePage.objects.get(pk=invoice.pk)


def edit_form(invoice: InvoicePage, **overrides) -> dict:
    line = invoice.lines.get()
    data = invoice_form(
        invoice.client_id,
        lines=[(line.description, str(line.quantity), str(line.unit_price), "")],
        invoice_number=invoice.invoice_number,
        issue_date=invoice.issue_date.isoformat(),
        due_date=invoice.due_date.isoformat(),
        **{"lines-INITIAL_FORMS": "1", "lines-0-id": str(line.pk)},
    )
    data.update(overrides)
    return data


def test_publishing_a_stale_draft_in_another_currency_is_refused_in_the_editor(admin_client, stale_eur_draft):
    invoice = stale_eur_draft
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[invoice.pk]), edit_form(invoice, currency="EUR")
    )

    assert response.status_code == 200  # the form again, with the reason
    assert "recorded in GBP, so its currency stays GBP" in all_errors(response)
    invoice.refresh_from_db()
    assert invoice.currency == "GBP" and invoice.amount_paid == 200


def test_the_editor_can_fix_the_stale_draft_and_publish_in_the_recorded_currency(
    admin_client, stale_eur_draft
):
    invoice = stale_eur_draft
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert "Payments are recorded in this currency" in page

    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[invoice.pk]), edit_form(invoice, currency="GBP")
    )

    assert response.status_code == 302, all_errors(response)
    invoice.refresh_from_db()
    assert invoice.currency == "GBP" and invoice.balance == 0


def test_any_other_publishing_path_refuses_the_stale_draft(stale_eur_draft):
    invoice = stale_eur_draft
    revision = invoice.get_latest_revision()

    with pytest.raises(ValidationError, match="stays GBP"):
        revision.publish()

    invoice = InvoicePage.objects.get(pk=invoice.pk)
    assert invoice.currency == "GBP" and invoice.amount_paid == 200 and invoice.balance == 0


def test_a_credit_alone_fixes_the_currency(admin_client, make_invoice):
    invoice = make_invoice(lines=[("Advice", "1", "200.00", None)], currency="USD", number="CL-2")
    ledger.record_adjustment(
        invoice.pk, kind="credit", amount=Decimal("20.00"), currency="USD", reason="Goodwill"
    )
    invoice = InvoicePage.objects.get(pk=invoice.pk)

    # The editor shows the currency as fixed, and a posted change does not take.
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert "Payments are recorded in this currency" in page
    admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[invoice.pk]), edit_form(invoice, currency="EUR")
    )
    assert InvoicePage.objects.get(pk=invoice.pk).currency == "USD"
    # Nor does a revision in another currency published any other way.
    draft = invoice.get_latest_revision_as_object()
    draft.currency = "EUR"
    with pytest.raises(ValidationError, match="stays USD"):
        draft.save_revision().publish()
    invoice = InvoicePage.objects.get(pk=invoice.pk)
    assert invoice.currency == "USD" and invoice.amount_credited == 20 and invoice.balance == 180
