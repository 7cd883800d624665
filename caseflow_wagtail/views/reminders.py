"""Payment reminders in the admin: Billing → Reminders (what today's run would send, and a button to run it),
and pausing or resuming one invoice's reminders from its Payments tab."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import log
from wagtail.models import Site

from .. import audit
from ..models import BillingSettings, InvoicePage
from ..permissions import has_billing_permission, may_send_invoices
from ..reminders import runs
from ..tasks import send_reminders
from .base import ForbiddenMixin, menu_item_shown_if
from .invoices import InvoiceActionView


class TodaysRemindersView(ForbiddenMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "caseflow_wagtail/admin/reminders.html"
    page_title = _("Reminders")
    header_icon = "mail"

    def check_permissions(self, request: HttpRequest) -> None:
        if not has_billing_permission(request.user):
            raise PermissionDenied

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sites = []
        for site in Site.objects.select_related("root_page").order_by("-is_default_site", "site_name", "pk"):
            billing = BillingSettings.for_site(site)
            sites.append(
                {
                    "site": site,
                    "billing": billing,
                    "steps": list(billing.reminder_steps.all()),
                    "planned": runs.plan(site, billing),
                    "settings_url": reverse(
                        "wagtailsettings:edit", args=["caseflow_wagtail", "billingsettings", site.pk]
                    ),
                }
            )
        context.update(sites=sites, may_send=may_send_invoices(self.request.user))
        return context


class SendRemindersNowView(ForbiddenMixin, View):
    """Run today's reminders for one site now, in the background; safe beside the scheduled run."""

    http_method_names = ["post"]

    def check_permissions(self, request: HttpRequest) -> None:
        if not may_send_invoices(request.user):
            raise PermissionDenied

    def post(self, request: HttpRequest, site_id: int) -> HttpResponse:
        site = Site.objects.filter(pk=site_id).first()
        if site is None or not BillingSettings.for_site(site).send_reminders:
            messages.error(request, gettext("Reminders are off for this site: nothing was sent."))
        else:
            send_reminders.enqueue(site.pk)
            messages.success(
                request,
                gettext("Today's reminders for %(site)s are being sent.") % {"site": site.site_name or site},
            )
        return redirect("caseflow_reminders:index")


class RemindersViewSet(ViewSet):
    name = "caseflow_reminders"
    url_prefix = "billing/reminders"
    icon = "mail"
    menu_label = _("Reminders")
    menu_name = "caseflow-reminders"

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return menu_item_shown_if(lambda request: has_billing_permission(request.user))

    def get_urlpatterns(self) -> list:
        return [
            path("", TodaysRemindersView.as_view(), name="index"),
            path("site/<int:site_id>/send/", SendRemindersNowView.as_view(), name="send_now"),
        ]


class ReminderSwitchView(InvoiceActionView):
    """Pause or resume one invoice's reminders: at once, without a revision, in its history."""

    pause = True

    def check_permissions(self, request: HttpRequest) -> None:
        if not (
            may_send_invoices(request.user) and self.invoice.permissions_for_user(request.user).can_edit()
        ):
            raise PermissionDenied

    def refusal(self) -> str:
        if self.invoice.reminders_paused == self.pause:
            if self.pause:
                return gettext("Reminders are already paused for this invoice.")
            return gettext("Reminders are not paused for this invoice.")
        return ""

    def explanation(self) -> list[str]:
        if self.pause:
            return [gettext("No payment reminder goes to the client for this invoice until you resume them.")]
        return [
            gettext(
                "The next run sends the latest step already reached, if any (once), and the schedule "
                "continues from there."
            )
        ]

    def act(self, form: forms.Form) -> None:
        InvoicePage.objects.filter(pk=self.invoice.pk).update(reminders_paused=self.pause)
        log(
            instance=self.invoice,
            action=audit.REMINDERS_PAUSED if self.pause else audit.REMINDERS_RESUMED,
            user=self.request.user,
        )
        text = (
            gettext("Reminders for invoice %(number)s are paused.")
            if self.pause
            else gettext("Reminders for invoice %(number)s are resumed.")
        )
        messages.success(self.request, text % {"number": self.invoice.invoice_number})


class PauseRemindersView(ReminderSwitchView):
    page_title = _("Pause reminders")
    confirm_label = _("Yes, pause reminders")


class ResumeRemindersView(ReminderSwitchView):
    page_title = _("Resume reminders")
    confirm_label = _("Yes, resume reminders")
    pause = False
