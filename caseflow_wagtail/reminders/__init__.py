"""Payment reminders: which step of a site's schedule an invoice is due today (``schedule``, pure dates),
and the run that sends them, at most once per invoice and step (``runs``).

Imports models and ``mail``; models import only ``reminders.panels`` (the schedule's panel) and ``schedule``, which import no model.
"""
