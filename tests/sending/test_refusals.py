"""What cannot be sent is refused with a reason, and nothing is sent or recorded; nor by whom may not."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry

from caseflow_wagtail import audit
from caseflow_wagtail.models import Client, InvoiceSending
from tests.admin.helpers import make_void

from .conftest import bulk_url, send_url

pytestmark = pytest.mark.django_db


def assert_nothing_sent() -> None:
    assert mail.outbox == []
    assert InvoiceSending.objects.count() == 0
    assert not PageLogEntry.objects.filter(action=audit.INVOICE_SENT).exists()


def refused(client, invoice, capture) -> str:
    opened = client.get(send_url(invoice))
    assert opened.status_code == 302
    assert opened.url == reverse("wagtailadmin_pages:edit", args=[invoice.pk])
    with capture(execute=True):
        posted = client.post(send_url(invoice), {"request_key": "k1"})
    assert posted.status_code == 302
    shown = [str(message).strip() for message in get_messages(posted.wsgi_request)]
    assert_nothing_sent()
    return shown[-1]


def test_a_draft_is_refused(admin_client, make_invoice, django_capture_on_commit_callbacks):
    invoice = make_invoice(publish=False)

    message = refused(admin_client, invoice, django_capture_on_commit_callbacks)

    assert message == f"Invoice {invoice.invoice_number} is a draft: publish it before sending it."
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert send_url(invoice) not in editor


def test_a_void_invoice_is_refused(admin_client, make_invoice, django_capture_on_commit_callbacks):
    invoice = make_invoice()
    make_void(invoice)

    message = refused(admin_client, invoice, django_capture_on_commit_callbacks)

    assert message == f"Invoice {invoice.invoice_number} is void and cannot be sent."
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk])).content.decode()
    assert send_url(invoice) not in editor


def test_a_client_without_email_is_refused(admin_client, make_invoice, django_capture_on_commit_callbacks):
    nobody = Client.objects.create(name="Quiet Ltd")
    invoice = make_invoice(client=nobody)

    message = refused(admin_client, invoice, django_capture_on_commit_callbacks)

    assert message == (
        f"Invoice {invoice.invoice_number} was not sent: its client, Quiet Ltd, has no primary contact email."
    )


def test_an_invoice_voided_before_the_worker_runs_is_not_sent(
    admin_client, make_invoice, django_capture_on_commit_callbacks
):
    invoice = make_invoice()
    key = admin_client.get(send_url(invoice)).context["form"].initial["request_key"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        admin_client.post(send_url(invoice), {"request_key": key})
    make_void(invoice)

    # The task itself may wait for a commit (django-tasks before 0.8 enqueues on commit by default).
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()

    assert mail.outbox == []
    sending = InvoiceSending.objects.get()
    assert sending.get_status_display() == "Failed"
    assert "void" in sending.error


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_users_who_may_not_send_are_refused(request, client, who, make_invoice):
    client.force_login(request.getfixturevalue(who))
    invoice = make_invoice()

    assert client.get(send_url(invoice)).status_code == 403
    assert client.post(send_url(invoice), {"request_key": "k1"}).status_code == 403
    assert client.get(bulk_url(invoice)).status_code == 403
    assert client.post(bulk_url(invoice), {"request_key": "k1"}).status_code == 403
    assert_nothing_sent()


def test_a_viewer_sees_the_history_but_no_send_button(client, viewer, make_invoice):
    client.force_login(viewer)
    invoice = make_invoice()

    editor = client.get(reverse("wagtailadmin_pages:edit", args=[invoice.pk]))

    assert editor.status_code == 200
    assert "Not sent by email yet." in editor.content.decode()
    assert send_url(invoice) not in editor.content.decode()


def test_the_billing_group_may_send(client, clerk, make_invoice, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    invoice = make_invoice()
    key = client.get(send_url(invoice)).context["form"].initial["request_key"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url(invoice), {"request_key": key})

    assert len(mail.outbox) == 1
    assert InvoiceSending.objects.get().sent_by == clerk
