"""The reminder rules on dates alone: which step is due, which are passed over, which wait."""

from __future__ import annotations

import datetime

import pytest

from caseflow_wagtail.reminders.schedule import Due, due_today, next_step

DUE = datetime.date(2026, 3, 10)
STEPS = (-3, 0, 7, 14)


def day(offset: int) -> datetime.date:
    return DUE + datetime.timedelta(days=offset)


def due(today: int, *, sent: int = -20, emailed: int | None = None, recorded=(), spacing: int = 3):
    return due_today(
        today=day(today),
        due_date=DUE,
        steps=STEPS,
        first_sent=day(sent),
        last_emailed=day(sent if emailed is None else emailed),
        recorded=recorded,
        spacing=spacing,
    )


@pytest.mark.parametrize(("today", "expected"), [(-4, None), (-3, Due(-3)), (-2, Due(-3))])
def test_a_step_is_due_on_its_day_and_not_before(today, expected):
    assert due(today) == expected


def test_a_recorded_step_is_never_due_again():
    assert due(-3, recorded=[-3], emailed=-3) is None
    assert due(5, recorded=[-3, 0], emailed=0) is None
    assert due(7, recorded=[-3, 0], emailed=0) == Due(7)


def test_only_the_latest_step_reached_goes_and_the_earlier_ones_are_passed_over():
    assert due(15) == Due(14, passed_over=(-3, 0, 7))
    assert due(8, recorded=[-3]) == Due(7, passed_over=(0,))


def test_no_step_earlier_than_one_already_recorded_is_sent_afterwards():
    # A step added to the schedule later, before a step the invoice already had.
    assert due(16, recorded=[14], emailed=14) is None


def test_the_first_sending_covers_every_step_on_or_before_its_day():
    assert due(8, sent=8) is None  # sent late: no "overdue" email the morning after
    assert due(13, sent=8) is None
    assert due(14, sent=8) == Due(14)
    assert due(0, sent=0) is None


def test_a_step_waits_for_the_spacing_after_the_last_email_then_goes_late_once():
    assert due(0, sent=-1) is None
    assert due(1, sent=-1) is None
    assert due(2, sent=-1) == Due(0)
    assert due(2, sent=-1, spacing=1) == Due(0)
    assert due(7, recorded=[0], emailed=5) is None
    assert due(8, recorded=[0], emailed=5) == Due(7)


def test_nothing_is_due_with_no_steps():
    assert (
        due_today(today=day(30), due_date=DUE, steps=(), first_sent=day(-20), last_emailed=day(-20)) is None
    )


def test_staff_are_told_the_step_that_goes_next():
    def upcoming(today: int, *, sent: int = -20, recorded=()):
        return next_step(today=day(today), due_date=DUE, steps=STEPS, first_sent=day(sent), recorded=recorded)

    assert upcoming(-10) == -3
    assert upcoming(-3) == -3  # due today, not sent yet
    assert upcoming(-2, recorded=[-3]) == 0
    assert upcoming(9, recorded=[-3]) == 7  # the latest reached goes, the due date's is passed over
    assert upcoming(8, sent=8) == 14
    assert upcoming(20, recorded=[-3, 0, 7, 14]) is None


def test_the_first_reason_an_invoice_gets_no_reminder_is_the_one_staff_are_told():
    from decimal import Decimal
    from types import SimpleNamespace

    from caseflow_wagtail.reminders.schedule import why_none

    def invoice(**changes):
        client = SimpleNamespace(send_reminders=True, contact_email="ada@acme.test")
        fields = dict(live=True, voided_at=None, balance=Decimal("10"), reminders_paused=False, client=client)
        return SimpleNamespace(**(fields | changes))

    assert why_none(invoice(), site_sends=True) == ""
    assert why_none(invoice(), site_sends=False).startswith("Reminders are off for this site")
    assert why_none(invoice(live=False), site_sends=True) == "No reminders for a draft."
    assert why_none(invoice(voided_at="x"), site_sends=True) == "No reminders: the invoice is void."
    assert why_none(invoice(balance=Decimal("0")), site_sends=True) == "No reminders: nothing is due."
    assert why_none(invoice(balance=Decimal("-5")), site_sends=True) == "No reminders: nothing is due."
    assert (
        why_none(invoice(reminders_paused=True), site_sends=True) == "Reminders are paused for this invoice."
    )
    quiet = SimpleNamespace(send_reminders=False, contact_email="q@x.test")
    assert why_none(invoice(client=quiet), site_sends=True).startswith("This client takes no reminders")
    nobody = SimpleNamespace(send_reminders=True, contact_email="")
    assert why_none(invoice(client=nobody), site_sends=True).endswith("no primary contact email.")
