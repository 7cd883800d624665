"""Send invoice from the editor: the confirm page, the email, the firm's copy, the record, the history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry

from caseflow_wagtail import audit, ledger
from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import EmailTemplate, InvoiceSending, SendingStatus

from .conftest import form_key, send_url

pytestmark = pytest.mark.django_db


def send(client, invoice, capture, **data):
    page = client.get(send_url(invoice))
    assert page.status_code == 200
    with capture(execute=True):
        response = client.post(send_url(invoice), {"request_key": form_key(page), **data})
    assert response.status_code == 302
    return response


def notices(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_the_default_template_is_created_by_its_migration():
    template = EmailTemplate.objects.get(slug="invoice-sent")

    assert "{{ invoice_link }}" in template.text_body
    assert set(template.merge_fields) >= {
        "invoice_number",
        "contact_name",
        "amount_due",
        "due_date",
        "invoice_link",
        "firm_name",
    }


def test_the_editor_sends_the_invoice_to_the_primary_contact(
    admin_client, superuser, make_invoice, firm_copy, django_capture_on_commit_callbacks
):
    invoice = make_invoice(lines=[("Advice", "1", "250.00", None)])
    ledger.record_payment(invoice, amount=Decimal("50"), currency="USD", method="cash", send_receipt=False)
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert send_url(invoice) in editor
    assert "Not sent by email yet." in editor
    confirm = admin_client.get(send_url(invoice)).content.decode()
    assert "ada@acme.test" in confirm
    assert firm_copy in confirm  # the copy is offered, unticked

    response = send(admin_client, invoice, django_capture_on_commit_callbacks)

    assert notices(response) == [f"Invoice {invoice.invoice_number} is being sent to ada@acme.test."]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@acme.test"]
    assert message.cc == []
    assert message.reply_to == [firm_copy]
    assert message.subject == (
        f"Invoice {invoice.invoice_number} from Lovelace & Babbage LLP: $200.00 due by "
        f"{invoice.due_date.isoformat()}"
    )
    assert "Dear Ada Lovelace" in message.body
    assert "Total: $250.00" in message.body
    assert "Amount due: $200.00" in message.body
    assert invoice.get_full_url() in message.body
    html = message.alternatives[0][0]
    assert "Lovelace &amp; Babbage LLP" in html
    sending = InvoiceSending.objects.get()
    assert message.anymail_test_params["tags"] == ["invoice-sent"]
    assert message.anymail_test_params["metadata"] == {
        "invoice_sending_id": str(sending.pk),
        "invoice_id": str(invoice.pk),
        "invoice_number": invoice.invoice_number,
    }
    assert (sending.status, sending.to_email, sending.cc_email) == (SendingStatus.SENT, "ada@acme.test", "")
    assert sending.sent_by == superuser
    assert sending.sent_at is not None
    assert sending.message_id == "0"  # the test backend's id: its outbox index
    entry = PageLogEntry.objects.get(page=invoice, action=audit.INVOICE_SENT)
    assert entry.user == superuser
    assert entry.data["to"] == "ada@acme.test"
    assert entry.message == "Invoice emailed to ada@acme.test"
    panel = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert "Not sent by email yet." not in panel
    assert "ada@acme.test" in panel
    assert "<td>Sent</td>" in panel
    history = admin_client.get(reverse("wagtailadmin_pages:history", args=[invoice.pk])).content.decode()
    assert "Invoice emailed to ada@acme.test" in history


def test_the_firm_can_take_a_copy(admin_client, make_invoice, firm_copy, django_capture_on_commit_callbacks):
    invoice = make_invoice()

    response = send(admin_client, invoice, django_capture_on_commit_callbacks, cc_firm="on")

    assert mail.outbox[0].cc == [firm_copy]
    assert InvoiceSending.objects.get().cc_email == firm_copy
    assert notices(response) == [
        f"Invoice {invoice.invoice_number} is being sent to ada@acme.test, with a copy to {firm_copy}."
    ]
    entry = PageLogEntry.objects.get(page=invoice, action=audit.INVOICE_SENT)
    assert entry.message == f"Invoice emailed to ada@acme.test, with a copy to {firm_copy}"


def test_no_copy_is_offered_without_a_billing_email(
    admin_client, make_invoice, django_capture_on_commit_callbacks
):
    invoice = make_invoice()
    assert "cc_firm" not in admin_client.get(send_url(invoice)).context["form"].fields

    send(admin_client, invoice, django_capture_on_commit_callbacks, cc_firm="on")

    assert mail.outbox[0].cc == []


def test_the_firms_edited_template_is_used(admin_client, make_invoice, django_capture_on_commit_callbacks):
    template = get_template("invoice-sent")
    template.subject = "{{ invoice_number }} for {{ client_name }}, due {{ due_date }}"
    template.save()
    invoice = make_invoice()

    send(admin_client, invoice, django_capture_on_commit_callbacks)

    assert mail.outbox[0].subject == f"{invoice.invoice_number} for Acme Holdings, due {invoice.due_date}"


def test_unknown_merge_fields_are_refused(admin_client):
    template = get_template("invoice-sent")
    url = reverse("wagtailsnippets_caseflow_wagtail_emailtemplate:edit", args=[template.pk])
    page = admin_client.get(url).content.decode()
    assert "amount_due" in page  # documented beside the form

    response = admin_client.post(url, {"subject": "{{ payment_date }}", "text_body": "x", "html_body": ""})

    assert "payment_date" in str(response.context["form"].errors)
    assert EmailTemplate.objects.get(pk=template.pk).subject != "{{ payment_date }}"


def test_submitting_the_form_twice_sends_once(admin_client, make_invoice, django_capture_on_commit_callbacks):
    invoice = make_invoice()
    key = form_key(admin_client.get(send_url(invoice)))

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(send_url(invoice), {"request_key": key})
    with django_capture_on_commit_callbacks(execute=True):
        second = admin_client.post(send_url(invoice), {"request_key": key})

    assert len(mail.outbox) == 1
    assert InvoiceSending.objects.count() == 1
    assert PageLogEntry.objects.filter(action=audit.INVOICE_SENT).count() == 1
    assert f"Invoice {invoice.invoice_number} was already sent by this form." in notices(second)

    # Opening the page again is a new request: staff may send it again on purpose.
    send(admin_client, invoice, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
