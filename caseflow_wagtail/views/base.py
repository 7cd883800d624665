"""What every billing admin view shares: refusing users without billing rights, the Stripe mode badge,
money columns and the site a request is for."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext
from django.views.generic import View
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import HeaderButton
from wagtail.models import Page, Site

from .. import money
from ..permissions import has_billing_permission

logger = logging.getLogger(__name__)


if TYPE_CHECKING:
    # What the mixins below are mixed into, so that their super() calls and ``self.request`` check.
    from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin as _AdminView

    _View = View
else:
    _View = _AdminView = object


def page_edit_url(invoice: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(invoice.pk,))


class ForbiddenMixin(_View):
    """Answer 403 to a user without the permission: Wagtail would turn PermissionDenied into a redirect."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.check_permissions(request)
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return TemplateResponse(request, "caseflow_wagtail/admin/permission_denied.html", status=403)

    def check_permissions(self, request: HttpRequest) -> None:
        """Raise PermissionDenied before the view runs; views with a permission policy also check there."""


def forbidding(view_class: type[View]) -> type[View]:
    """``view_class`` answering 403 instead of Wagtail's redirect when permission is refused."""
    return type(view_class.__name__, (ForbiddenMixin, view_class), {"__module__": __name__})


class BillingOnlyMixin(ForbiddenMixin):
    """403 for a user without the billing permission, before the view shows any client or amount."""

    def check_permissions(self, request: HttpRequest) -> None:
        if not has_billing_permission(request.user):
            raise PermissionDenied


def billing_only(view_class: type[View]) -> type[View]:
    """``view_class`` refused (403) to users without the billing permission."""
    return type(view_class.__name__, (BillingOnlyMixin, view_class), {"__module__": __name__})


# -- the Stripe mode, on every Billing listing -------------------------------------------------------------


class StripeModeMixin(_AdminView):
    """Shows TEST MODE / LIVE MODE / NOT CONFIGURED in the header, linking to Payment Gateways."""

    @cached_property
    def header_buttons(self) -> list[Any]:
        from ..models import PaymentGatewaySettings
        from .gateway import may_change_gateway

        site = Site.find_for_request(self.request)
        if site is None:
            return list(super().header_buttons)
        mode = PaymentGatewaySettings.for_site(site).mode
        label = {"live": gettext("LIVE MODE"), "test": gettext("TEST MODE")}.get(
            mode, gettext("NOT CONFIGURED")
        )
        meta = PaymentGatewaySettings._meta
        url = (
            reverse("wagtailsettings:edit", args=[meta.app_label, meta.model_name, site.pk])
            if may_change_gateway(self.request.user, site)
            else None
        )
        badge = HeaderButton(
            gettext("Stripe: %(mode)s") % {"mode": label},
            url=url,
            icon_name="credit-card",
            classname=f"caseflow-mode caseflow-mode--{mode or 'none'}",
        )
        return [*super().header_buttons, badge]


# -- listing columns ------------------------------------------------------------------------------------


class MoneyColumn(Column):
    """An amount formatted in its row's currency (``currency_accessor``) in the active language."""

    def __init__(self, name: str, currency_accessor: str = "currency", **kwargs: Any) -> None:
        kwargs.setdefault("classname", "caseflow-money")
        super().__init__(name, **kwargs)
        self.currency_accessor = currency_accessor

    def get_value(self, instance: Any) -> str:
        amount = super().get_value(instance)
        return money.format_money(amount, getattr(instance, self.currency_accessor))


class BalanceColumn(MoneyColumn):
    """An invoice's balance due; a void invoice owes nothing, so it shows a dash rather than a sum."""

    def get_value(self, instance: Any) -> str:
        if getattr(instance, "voided_at", None):
            return "—"
        return super().get_value(instance)


def relative_to_now(when: datetime.datetime) -> str:
    """How far ``when`` is from now, in its largest unit, pointing the right way ("in 3 weeks", "2 days ago")."""
    now = timezone.now()
    if when >= now:
        if when - now < datetime.timedelta(minutes=1):
            return gettext("in under a minute")
        return gettext("in %(span)s") % {"span": timeuntil(when, now, depth=1)}
    return gettext("%(span)s ago") % {"span": timesince(when, now, depth=1)}


class UpcomingDateColumn(Column):
    """A date that usually lies ahead (a next charge): the date itself, then how far off it is.

    Wagtail's ``DateColumn`` reads every date as past, so it calls any future one "Just now".
    """

    cell_template_name = "caseflow_wagtail/admin/cells/upcoming_date.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        when = context["value"]
        context["relative"] = relative_to_now(when) if isinstance(when, datetime.datetime) else ""
        return context


class InvoiceStatusColumn(Column):
    cell_template_name = "caseflow_wagtail/admin/cells/invoice_status.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        context["invoice"] = instance
        return context


class InvoiceLinkColumn(Column):
    """The entry's invoice, linking to its editor, flagged when the invoice is overpaid."""

    cell_template_name = "caseflow_wagtail/admin/cells/invoice_link.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        context["invoice"] = invoice = instance.invoice
        context["edit_url"] = page_edit_url(invoice)
        return context


def menu_item_shown_if(is_allowed: Callable[[HttpRequest], bool]) -> type[MenuItem]:
    """A Billing menu item shown only to whom ``is_allowed(request)``."""

    def is_shown(_item: MenuItem, request: HttpRequest) -> bool:
        return is_allowed(request)

    return type("BillingMenuItem", (MenuItem,), {"is_shown": is_shown})


def site_for(request: HttpRequest) -> Site | None:
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
