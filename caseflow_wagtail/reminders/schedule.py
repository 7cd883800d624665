"""Which invoices get reminders, and which step is due today: the invoice's state and dates in, a decision
out, nothing read from the database or written.

An invoice gets reminders while it is published, not void, owing, not paused, and its client takes them
and has an email (``why_none``). The steps, in the order the rules apply:

- a step falls on the due date plus its days; it is never sent before that day;
- the invoice's first sending covers every step on or before the day it was sent (no "overdue" reminder the
  morning after an invoice was first sent late);
- a step already recorded (sent, being sent, or passed over) is never sent again, nor is any step before the
  latest one recorded;
- of the steps due and not yet recorded, only the latest goes; the earlier ones are passed over, so a run
  after days without one sends one email, not a pile;
- nothing goes until ``spacing`` days have passed since the invoice or a reminder was last sent: the step
  waits (and is sent late, once) rather than following another email the next morning.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True, slots=True)
class Due:
    """The step to send today (``days`` from the due date) and the earlier ones it passes over."""

    days: int
    passed_over: tuple[int, ...] = ()


def why_none(invoice, *, site_sends: bool) -> str:
    """Why ``invoice`` gets no reminder now, for staff; empty when it may get one."""
    if not site_sends:
        return gettext("Reminders are off for this site (Settings → Billing).")
    if not invoice.live:
        return gettext("No reminders for a draft.")
    if invoice.voided_at:
        return gettext("No reminders: the invoice is void.")
    if invoice.balance <= 0:
        return gettext("No reminders: nothing is due.")
    if invoice.reminders_paused:
        return gettext("Reminders are paused for this invoice.")
    if not invoice.client.send_reminders:
        return gettext("This client takes no reminders (Billing → Clients).")
    if not invoice.client.contact_email:
        return gettext("No reminders: the client has no primary contact email.")
    return ""


def step_date(due_date: datetime.date, days: int) -> datetime.date:
    return due_date + datetime.timedelta(days=days)


def due_today(
    *,
    today: datetime.date,
    due_date: datetime.date,
    steps: Iterable[int],
    first_sent: datetime.date,
    last_emailed: datetime.date,
    recorded: Iterable[int] = (),
    spacing: int = 1,
) -> Due | None:
    """The step of ``steps`` to send today, or None; ``recorded`` are the steps already sent or passed over."""
    done = set(recorded)
    latest_done = max(done, default=None)
    reached = [
        days
        for days in sorted(set(steps))
        if first_sent < step_date(due_date, days) <= today
        and days not in done
        and (latest_done is None or days > latest_done)
    ]
    if not reached:
        return None
    if (today - last_emailed).days < spacing:
        return None
    return Due(days=reached[-1], passed_over=tuple(reached[:-1]))


def next_step(
    *,
    today: datetime.date,
    due_date: datetime.date,
    steps: Iterable[int],
    first_sent: datetime.date,
    recorded: Iterable[int] = (),
) -> int | None:
    """The step that goes next (what staff are told is coming): the latest one reached and not yet sent,
    else the first one ahead; None when none is left."""
    done = set(recorded)
    latest_done = max(done, default=None)
    open_steps = [
        days
        for days in sorted(set(steps))
        if step_date(due_date, days) > first_sent and (latest_done is None or days > latest_done)
    ]
    reached = [days for days in open_steps if step_date(due_date, days) <= today]
    ahead = [days for days in open_steps if step_date(due_date, days) > today]
    if reached:
        return reached[-1]
    return ahead[0] if ahead else None
