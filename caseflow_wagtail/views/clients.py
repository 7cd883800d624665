"""Billing → Clients: giving a client a new account link, confirmed first and in the client's history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import audit
from ..models import Client
from ..permissions import may_change_clients
from .base import ForbiddenMixin

CLIENTS_URL = "wagtailsnippets_caseflow_wagtail_client"


def client_edit_url(client: Client) -> str:
    return reverse(f"{CLIENTS_URL}:edit", args=(client.pk,))


class RegenerateAccountLinkView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "caseflow_wagtail/admin/confirm_action.html"
    page_title = _("Regenerate the client's account link")
    header_icon = "group"
    form_class = forms.Form

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.billing_client = get_object_or_404(Client, pk=kwargs["client_id"])

    def check_permissions(self, request: HttpRequest) -> None:
        # The billing permission as well as editing clients: the link shows amounts and invoice links.
        if not may_change_clients(request.user):
            raise PermissionDenied

    def get_page_subtitle(self) -> str:
        return str(self.billing_client)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{CLIENTS_URL}:list"), "label": gettext("Clients")},
            {"url": client_edit_url(self.billing_client), "label": str(self.billing_client)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.get_full_path(),
            cancel_url=client_edit_url(self.billing_client),
            confirm_label=gettext("Yes, regenerate the link"),
            danger=True,
            explanation=[
                gettext("The client gets a new account link and the current one stops working at once."),
                gettext(
                    "Each invoice keeps its own link. Emails already sent carry the old account link: "
                    "send the client the new one."
                ),
            ],
        )
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        self.billing_client.regenerate_account_token()
        log(instance=self.billing_client, action=audit.ACCOUNT_LINK_REGENERATED, user=self.request.user)
        messages.success(
            self.request,
            gettext("%(client)s has a new account link; the old one no longer works.")
            % {"client": self.billing_client.name},
        )
        return redirect(client_edit_url(self.billing_client))
