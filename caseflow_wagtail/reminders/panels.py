"""The schedule's panel in Settings → Billing: the steps inline, refusing two steps on the same day in words
the firm understands."""

from __future__ import annotations

from django.utils.translation import gettext
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel


class ReminderStepFormSet(BaseChildFormSet):
    def get_unique_error_message(self, unique_check) -> str:
        if "days" in unique_check:
            return gettext("Two reminders are set for the same day: give each its own number of days.")
        return super().get_unique_error_message(unique_check)


class ReminderStepsPanel(InlinePanel):
    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = ReminderStepFormSet
        return options
