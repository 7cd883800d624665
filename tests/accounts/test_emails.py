"""The invoice email and the payment reminders link to the client's account page (``{{ account_link }}``)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.models import Site

from caseflow_wagtail.mail.defaults import DEFAULT_REMINDER_DAYS, DEFAULTS, reminder_defaults
from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import BillingSettings, EmailTemplate, ReminderStep
from caseflow_wagtail.models.emails import MERGE_FIELDS
from tests.paynow.two_sites import invoice_on

from ..reminders.conftest import run_job, send_invoice, set_due
from .conftest import account_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(home_page) -> BillingSettings:
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = "Lovelace & Babbage LLP"
    billing.billing_email = "accounts@firm.test"
    billing.save()
    return billing


def invoice_emails() -> list:
    return [message for message in mail.outbox if "invoice-sent" in message.tags]


def test_account_link_is_a_merge_field_of_the_invoice_email_and_the_reminders():
    assert "account_link" in MERGE_FIELDS["invoice-sent"]
    assert "account_link" in MERGE_FIELDS["invoice-reminder"]
    # Only where an invoice's client is the recipient and the invoice's site is known.
    assert "account_link" not in MERGE_FIELDS["stripe-refund"]


def test_the_merge_field_is_accepted_where_offered_and_refused_elsewhere(firm):
    template = get_template("invoice-sent")
    template.text_body = "All your invoices: {{ account_link }}"
    template.full_clean()
    step = firm.reminder_steps.first()
    step.html_body = '<a href="{{ account_link }}">Your account</a>'
    step.full_clean()

    refund = get_template("stripe-refund")
    refund.text_body = "{{ account_link }}"
    with pytest.raises(ValidationError, match=r"Unknown merge field \{\{ account_link \}\}"):
        refund.full_clean()
    template.text_body = "{{ account_url }}"
    with pytest.raises(ValidationError, match=r"Unknown merge field \{\{ account_url \}\}"):
        template.full_clean()


def test_the_shipped_texts_link_to_the_account_page():
    assert "{{ account_link }}" in DEFAULTS["invoice-sent"]["text_body"]
    assert 'href="{{ account_link }}"' in DEFAULTS["invoice-sent"]["html_body"]
    for days in DEFAULT_REMINDER_DAYS:
        texts = reminder_defaults(days)
        assert "See all your invoices with {{ firm_name }}:\n{{ account_link }}" in texts["text_body"]
        assert 'href="{{ account_link }}"' in texts["html_body"]
        ReminderStep(days=days, **texts).clean()


def test_the_invoice_email_carries_the_account_link(firm, make_invoice, billing_client, client):
    invoice = make_invoice(number="EM-0001")

    send_invoice(invoice)

    (message,) = invoice_emails()
    link = f"http://localhost{account_path(billing_client)}"
    assert f"See all your invoices with Lovelace & Babbage LLP:\n{link}\n" in message.body
    html = message.alternatives[0][0]
    assert f'<a href="{link}">See all your invoices with Lovelace &amp; Babbage LLP</a>' in html
    assert "EM-0001" in client.get(account_path(billing_client)).content.decode()


def test_an_invoice_of_another_site_links_to_that_sites_address(firm, other_site, billing_client):
    invoice = invoice_on(other_site, billing_client, number="BETA-0042")

    send_invoice(invoice)

    (message,) = invoice_emails()
    assert f"http://beta.test{account_path(billing_client)}" in message.body
    assert "http://localhost/billing/account/" not in message.body


def test_each_reminder_carries_the_account_link(firm, make_invoice, billing_client):
    firm.send_reminders = True
    firm.save()
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        invoice = set_due(make_invoice(number="EM-0002"), datetime.date(2026, 3, 10))
        send_invoice(invoice)
    with time_machine.travel(datetime.datetime(2026, 3, 7, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert "1 sent" in run_job()

    (reminder,) = [message for message in mail.outbox if "invoice-reminder" in message.tags]
    link = f"http://localhost{account_path(billing_client)}"
    assert f"See all your invoices with Lovelace & Babbage LLP:\n{link}\n" in reminder.body
    assert f'href="{link}"' in reminder.alternatives[0][0]


def test_a_firms_own_template_is_left_as_it_is(firm, make_invoice):
    # A firm that edited its template before account links existed keeps its own words: nothing is added.
    template = EmailTemplate.objects.get(slug="invoice-sent")
    template.subject = "Invoice {{ invoice_number }}"
    template.text_body = "Pay here: {{ invoice_link }}"
    template.html_body = ""
    template.save()
    invoice = make_invoice(number="EM-0003")

    send_invoice(invoice)

    (message,) = invoice_emails()
    assert message.body == f"Pay here: {invoice.get_full_url()}"
    assert message.alternatives == []
    stored = EmailTemplate.objects.get(slug="invoice-sent")
    assert (stored.subject, stored.text_body, stored.html_body) == (
        "Invoice {{ invoice_number }}",
        "Pay here: {{ invoice_link }}",
        "",
    )
