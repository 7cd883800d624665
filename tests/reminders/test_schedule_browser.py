"""The reminder schedule edited in Settings → Billing in Chromium: Wagtail's inline panel adds a step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from wagtail.models import Site

from caseflow_wagtail.models import BillingSettings
from tests.admin_login import log_in_as_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_step_is_added_to_the_schedule_in_the_browser(page, live_server, home_page, django_user_model):
    site = Site.objects.get(is_default_site=True)
    BillingSettings.for_site(site)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in_as_partner(page, django_user_model, live_server.url)
    page.goto(f"{live_server.url}/admin/settings/caseflow_wagtail/billingsettings/{site.pk}/")
    page.get_by_label("Send payment reminders").check()
    page.get_by_role("button", name="Add reminder").first.click()
    new_step = page.locator("[id^='inline_child_reminder_steps-']").last
    new_step.get_by_label("Days from the due date").fill("30")
    new_step.get_by_label("Subject").fill("Final notice: invoice {{ invoice_number }}")
    new_step.get_by_label("Plain-text body").fill("{{ amount_due }} is {{ days_overdue }} days overdue.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Billing updated.")).to_be_visible()
    billing = BillingSettings.for_site(site)
    assert billing.send_reminders
    assert list(billing.reminder_steps.values_list("days", flat=True)) == [-3, 0, 7, 14, 30]
    assert errors == []
