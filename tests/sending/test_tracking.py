"""anymail's tracking events mark each sending delivered, bounced or failed; a receipt's events do not."""

from __future__ import annotations

import threading

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import DatabaseError, connections

from caseflow_wagtail.mail.sending import request_sending
from caseflow_wagtail.models import InvoiceSending, SendingStatus

from .conftest import form_key, send_url

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def sent(admin_client, make_invoice, django_capture_on_commit_callbacks) -> InvoiceSending:
    invoice = make_invoice()
    key = form_key(admin_client.get(send_url(invoice)))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(send_url(invoice), {"request_key": key})
    return InvoiceSending.objects.get()


def track(**kwargs) -> None:
    tracking.send(sender=object, event=AnymailTrackingEvent(**kwargs), esp_name="Test")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event_type, status",
    [
        ("delivered", SendingStatus.DELIVERED),
        ("bounced", SendingStatus.BOUNCED),
        ("rejected", SendingStatus.BOUNCED),
        ("failed", SendingStatus.FAILED),
    ],
)
def test_tracking_events_update_the_sending(sent, event_type, status):
    track(
        event_type=event_type,
        metadata={"invoice_sending_id": str(sent.pk)},
        message_id=sent.message_id,
        description="Mailbox does not exist",
    )

    sent.refresh_from_db()
    assert sent.status == status
    assert sent.error == ("" if status == SendingStatus.DELIVERED else "Mailbox does not exist")


@pytest.mark.django_db
def test_the_panel_shows_the_tracked_status(admin_client, sent):
    track(event_type="bounced", metadata={"invoice_sending_id": str(sent.pk)}, description="No such user")

    panel = admin_client.get(f"/admin/pages/{sent.invoice_id}/edit/").content.decode()

    assert "Bounced — No such user" in panel


@pytest.mark.django_db
def test_an_event_without_metadata_is_matched_by_message_id(sent):
    track(event_type="delivered", message_id=sent.message_id)

    sent.refresh_from_db()
    assert sent.status == SendingStatus.DELIVERED


@pytest.mark.django_db
def test_other_events_leave_the_sending_alone(sent):
    track(event_type="delivered", metadata={"payment_id": "1"}, message_id=sent.message_id)
    track(event_type="opened", metadata={"invoice_sending_id": str(sent.pk)})
    track(event_type="delivered", metadata={"invoice_sending_id": "not-a-number"})

    sent.refresh_from_db()
    assert sent.status == SendingStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_one_form_submitted_twice_at_once_sends_once(make_invoice):
    invoice = make_invoice()
    user = get_user_model().objects.create_superuser("boss", "boss@firm.test", "pw")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            start.wait()
            outcome = request_sending(invoice, user=user, cc_firm=False, request_key="same-form")
            outcomes.append("created" if outcome.created else "found")
        except DatabaseError as error:  # SQLite's lock: this submission records nothing
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("created") == 1
    if ON_POSTGRES:
        assert outcomes.count("found") == 3
    assert len(mail.outbox) == 1
    assert InvoiceSending.objects.get().status == SendingStatus.SENT
