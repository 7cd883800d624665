"""Reminders in the admin: the schedule in Settings → Billing, today's preview, pausing one invoice."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry, Site

from caseflow_wagtail import audit
from caseflow_wagtail.models import BillingSettings, InvoicePage, ReminderStep
from tests.form_data import form_data

from .conftest import run_job, send_invoice, set_due

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 7, 9, 0, tzinfo=datetime.UTC)


def settings_url(site: Site) -> str:
    return reverse("wagtailsettings:edit", args=["caseflow_wagtail", "billingsettings", site.pk])


def steps(billing: BillingSettings) -> list[int]:
    return list(billing.reminder_steps.values_list("days", flat=True))


def test_a_site_starts_with_the_default_schedule_and_reminders_off(home_page):
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))

    assert steps(billing) == [-3, 0, 7, 14]
    assert billing.send_reminders is False
    overdue = billing.reminder_steps.get(days=7)
    assert "{{ days_overdue }}" in overdue.text_body and "{{ invoice_link }}" in overdue.text_body
    assert "due today" in billing.reminder_steps.get(days=0).subject


def test_the_schedule_is_edited_in_settings(admin_client, home_page):
    site = Site.objects.get(is_default_site=True)
    page = admin_client.get(settings_url(site)).content.decode()
    assert "Payment reminders" in page and "days between emails" in page.lower()
    data = form_data(page)
    # Turn reminders on, move the +14 step to +21, and add one 30 days after with its own text.
    data["send_reminders"] = "on"
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-days") and v == "14")
    data[f"reminder_steps-{index}-days"] = "21"
    total = int(data["reminder_steps-TOTAL_FORMS"])
    data.update(
        {
            "reminder_steps-TOTAL_FORMS": str(total + 1),
            f"reminder_steps-{total}-days": "30",
            f"reminder_steps-{total}-subject": "Final notice: {{ invoice_number }}",
            f"reminder_steps-{total}-text_body": "{{ amount_due }} is {{ days_overdue }} days overdue.",
            f"reminder_steps-{total}-html_body": "",
            f"reminder_steps-{total}-id": "",
            f"reminder_steps-{total}-ORDER": str(total + 1),
        }
    )

    response = admin_client.post(settings_url(site), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    billing = BillingSettings.for_site(site)
    assert billing.send_reminders is True
    assert steps(billing) == [-3, 0, 7, 21, 30]
    assert billing.reminder_steps.get(days=30).subject == "Final notice: {{ invoice_number }}"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"days": "7"}, "Two reminders are set for the same day: give each its own number of days."),
        ({"subject": "Pay {{ balance_owed }}"}, "Unknown merge field {{ balance_owed }}."),
        ({"days": "400"}, "Ensure this value is less than or equal to 365."),
    ],
)
def test_a_bad_step_is_refused_with_nothing_changed(admin_client, home_page, change, error):
    site = Site.objects.get(is_default_site=True)
    data = form_data(admin_client.get(settings_url(site)).content.decode())
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-days") and v == "14")
    data.update({f"reminder_steps-{index}-{field}": value for field, value in change.items()})
    before = list(ReminderStep.objects.values_list("days", "subject"))

    response = admin_client.post(settings_url(site), data)

    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert list(ReminderStep.objects.values_list("days", "subject")) == before


@pytest.fixture
def due_today(make_invoice, billing) -> InvoicePage:
    """An invoice sent on 1 March and due on 10 March: its -3 step is due on the 7th."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        invoice = set_due(
            make_invoice(number="INV-0042", lines=[("Advice", "1", "1200.00", None)]),
            datetime.date(2026, 3, 10),
        )
        send_invoice(invoice)
    return invoice


def test_the_preview_lists_what_todays_run_would_send_and_sends_nothing(admin_client, due_today):
    with time_machine.travel(NOW, tick=False):
        page = admin_client.get(reverse("caseflow_reminders:index")).content.decode()

    assert (
        "INV-0042" in page
        and "ada@acme.test" in page
        and "3 days before the due date" in page.replace("\xa0", " ")
    )
    assert "$1,200.00" in page
    assert "Send 1 reminder now" in page
    assert not [m for m in mail.outbox if "invoice-reminder" in m.tags]


def test_send_now_runs_todays_reminders_for_the_site(
    admin_client, due_today, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("caseflow_reminders:send_now", args=[site.pk]))
        again = admin_client.post(reverse("caseflow_reminders:send_now", args=[site.pk]))

    assert response.status_code == again.status_code == 302
    reminders = [m for m in mail.outbox if "invoice-reminder" in m.tags]
    assert [m.to for m in reminders] == [["ada@acme.test"]]
    assert reminders[0].subject == "Reminder: invoice INV-0042 is due on 2026-03-10"
    entry = PageLogEntry.objects.get(page=due_today, action=audit.REMINDER_SENT)
    assert entry.data["to"] == "ada@acme.test" and entry.data["days"] == -3


def test_the_preview_says_when_reminders_are_off(admin_client, home_page):
    page = admin_client.get(reverse("caseflow_reminders:index")).content.decode()

    assert "Reminders are off for this site." in page


def test_users_without_billing_rights_see_no_reminders(client, editor, home_page):
    client.force_login(editor)

    assert client.get(reverse("caseflow_reminders:index")).status_code in (302, 403)
    site = Site.objects.get(is_default_site=True)
    assert client.post(reverse("caseflow_reminders:send_now", args=[site.pk])).status_code in (302, 403)


def test_pausing_an_invoice_stops_its_reminders_until_resumed(admin_client, due_today):
    pause = reverse("caseflow_wagtail_admin:pause_reminders", args=[due_today.pk])
    resume = reverse("caseflow_wagtail_admin:resume_reminders", args=[due_today.pk])
    edit = reverse("wagtailadmin_pages:edit", args=[due_today.pk])
    with time_machine.travel(NOW, tick=False):
        assert "Next reminder: 3 days before the due date" in admin_client.get(edit).content.decode()
        assert admin_client.post(pause).status_code == 302
        due_today.refresh_from_db()
        assert due_today.reminders_paused
        assert "Reminders are paused for this invoice." in admin_client.get(edit).content.decode()
        assert "INV-0042" not in admin_client.get(reverse("caseflow_reminders:index")).content.decode()
        assert due_today.get_latest_revision().content.get("reminders_paused") is not True

        assert admin_client.post(resume).status_code == 302
        assert "INV-0042" in admin_client.get(reverse("caseflow_reminders:index")).content.decode()
    actions = list(PageLogEntry.objects.filter(page=due_today).values_list("action", flat=True))
    assert audit.REMINDERS_PAUSED in actions and audit.REMINDERS_RESUMED in actions


def test_the_payments_tab_lists_the_reminders_sent(admin_client, due_today):
    with time_machine.travel(NOW, tick=False):
        run_job()
        edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[due_today.pk])).content.decode()

    assert "3 days before the due date" in edit.replace("\xa0", " ")
    assert "Next reminder: on the due date, on or after" in edit


def test_sites_set_up_before_reminders_get_the_default_schedule_from_the_migration(home_page):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("caseflow_wagtail.migrations.0017_reminders")
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    ReminderStep.objects.all().delete()  # as a site created before reminders existed

    migration.add_default_schedules(apps, None)

    assert steps(billing) == [-3, 0, 7, 14]
    assert BillingSettings.for_site(billing.site).send_reminders is False
