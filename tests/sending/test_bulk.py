"""Billing → Invoices → Send: several invoices at once, each one sent or named with the reason it was not."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from caseflow_wagtail.models import Client, InvoiceSending
from tests.admin.helpers import make_void

from .conftest import bulk_url, form_key

pytestmark = pytest.mark.django_db


def test_the_invoice_listing_offers_only_the_send_action(admin_client, make_invoice):
    make_invoice()

    listing = admin_client.get(reverse("caseflow_invoices:index")).content.decode()

    assert "data-bulk-action-checkbox" in listing
    assert reverse("wagtail_bulk_action", args=["caseflow_wagtail", "invoicepage", "send"]) in listing
    # Wagtail's page actions (delete, move, unpublish…) are not offered on invoices here.
    assert reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) not in listing


def test_several_invoices_are_sent_and_the_refused_ones_named(
    admin_client, make_invoice, firm_copy, django_capture_on_commit_callbacks
):
    first, second = make_invoice(number="B-0001"), make_invoice(number="B-0002")
    draft = make_invoice(number="B-0003", publish=False)
    void = make_invoice(number="B-0004")
    make_void(void)
    quiet = make_invoice(number="B-0005", client=Client.objects.create(name="Quiet Ltd"))
    url = bulk_url(first, second, draft, void, quiet)

    confirm = admin_client.get(url)
    page = confirm.content.decode()
    assert "B-0001" in page and "to ada@acme.test" in page
    assert "B-0003" in page and "is a draft" in page
    assert firm_copy in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"request_key": form_key(confirm), "cc_firm": "on"})

    assert response.status_code == 302
    assert response.url == reverse("caseflow_invoices:index")
    shown = [str(message).strip() for message in get_messages(response.wsgi_request)]
    assert shown == [
        "2 invoices are being sent: B-0001 → ada@acme.test; B-0002 → ada@acme.test.",
        "Invoice B-0003 is a draft: publish it before sending it.",
        "Invoice B-0004 is void and cannot be sent.",
        "Invoice B-0005 was not sent: its client, Quiet Ltd, has no primary contact email.",
    ]
    assert sorted(message.subject.split(" ")[1] for message in mail.outbox) == ["B-0001", "B-0002"]
    assert all(message.cc == [firm_copy] for message in mail.outbox)
    assert sorted(InvoiceSending.objects.values_list("invoice__invoice_number", flat=True)) == [
        "B-0001",
        "B-0002",
    ]


def test_without_the_copy_no_cc(admin_client, make_invoice, firm_copy, django_capture_on_commit_callbacks):
    invoices = [make_invoice(), make_invoice()]
    confirm = admin_client.get(bulk_url(*invoices))

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(bulk_url(*invoices), {"request_key": form_key(confirm)})

    assert [message.cc for message in mail.outbox] == [[], []]


def test_a_double_submit_sends_each_invoice_once(
    admin_client, make_invoice, django_capture_on_commit_callbacks
):
    invoices = [make_invoice(), make_invoice()]
    key = form_key(admin_client.get(bulk_url(*invoices)))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(bulk_url(*invoices), {"request_key": key})

    assert len(mail.outbox) == 2
    assert InvoiceSending.objects.count() == 2
    shown = [str(message).strip() for message in get_messages(response.wsgi_request)]
    assert all("already sent by this form" in message for message in shown[-2:])


def test_select_all_in_listing_sends_nothing(admin_client, make_invoice, django_capture_on_commit_callbacks):
    make_invoice()
    url = reverse("wagtail_bulk_action", args=["caseflow_wagtail", "invoicepage", "send"]) + "?id=all"

    confirm = admin_client.get(url)
    assert "Select the invoices to send" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"request_key": form_key(confirm)})

    assert mail.outbox == []
