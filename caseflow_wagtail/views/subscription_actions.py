"""A retainer's actions in the admin: cancel (at period end or now), undo a cancellation, email the setup
link. Each goes to Stripe first, through the subscriptions service."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import subscriptions
from ..stripe_api import StripeFailure
from .subscriptions import CHANGE, SubscriptionMixin, detail_url

logger = logging.getLogger(__name__)


# -- manage: cancel, undo, resend -----------------------------------------------------------------------


class CancelForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        choices=[
            ("period_end", _("At the end of the current period (no further charges)")),
            ("now", _("Immediately (the subscription ends now)")),
        ],
        widget=forms.RadioSelect,
        initial="period_end",
    )


class SubscriptionActionView(SubscriptionMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "caseflow_wagtail/admin/confirm_action.html"
    header_icon = "calendar-check"
    permission = CHANGE
    form_class: type[forms.Form] = forms.Form
    confirm_label = _("Confirm")
    danger = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            subscription=self.subscription,
            action_url=self.request.get_full_path(),
            cancel_url=detail_url(self.subscription),
            confirm_label=self.confirm_label,
            danger=self.danger,
            explanation=self.explanation(),
            # "Cancel" would read as an answer on the page that cancels a subscription.
            back_label=gettext("Back"),
        )
        return context

    def explanation(self) -> list[str]:
        return []

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            # Each action view defines act(form): the change it asks Stripe for, returning the message.
            message = self.act(form)
        except (StripeFailure, subscriptions.SubscriptionError) as failure:
            messages.error(self.request, str(failure))
        else:
            messages.success(self.request, message)
        return redirect(detail_url(self.subscription))


class CancelSubscriptionView(SubscriptionActionView):
    page_title = _("Cancel subscription")
    form_class = CancelForm
    confirm_label = _("Yes, cancel the subscription")
    danger = True

    def explanation(self) -> list[str]:
        lines = [gettext("Stripe stops charging the client's card. Invoices already paid are not refunded.")]
        if self.subscription.current_period_end:
            lines.append(
                gettext("The current period ends on %(date)s.")
                % {"date": self.subscription.current_period_end.date().isoformat()}
            )
        return lines

    def act(self, form: forms.Form) -> str:
        if form.cleaned_data["when"] == "now":
            result = subscriptions.cancel_now(self.subscription, user=self.request.user)
            return gettext("The subscription is %(status)s.") % {"status": result.get_status_display()}
        result = subscriptions.cancel_at_period_end(self.subscription, user=self.request.user)
        if not result.cancel_at_period_end:
            return gettext("Stripe did not schedule the cancellation.")
        return gettext("The subscription will end at the end of the current period.")


class UndoCancelView(SubscriptionActionView):
    page_title = _("Keep subscription")
    confirm_label = _("Yes, keep charging each cycle")

    def explanation(self) -> list[str]:
        return [gettext("The pending cancellation is withdrawn; Stripe keeps charging every cycle.")]

    def act(self, form: forms.Form) -> str:
        subscriptions.undo_cancellation(self.subscription, user=self.request.user)
        return gettext("The cancellation is withdrawn.")


class SendSetupView(SubscriptionActionView):
    page_title = _("Email the setup link")
    confirm_label = _("Send")

    def explanation(self) -> list[str]:
        return [
            gettext("The setup link goes to %(email)s.")
            % {"email": self.subscription.client.contact_email or "—"}
        ]

    def act(self, form: forms.Form) -> str:
        if not self.subscription.is_incomplete:
            raise subscriptions.SubscriptionError(gettext("The client has already set up this subscription."))
        if not subscriptions.send_setup_email(self.subscription, user=self.request.user):
            raise subscriptions.SubscriptionError(gettext("The client has no primary contact email."))
        return gettext("The setup link was emailed.")
