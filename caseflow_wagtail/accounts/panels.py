"""The client editor's account link (Billing → Clients): shown to billing staff only, as the invoice's link
is on its Payments tab."""

from __future__ import annotations

from wagtail.admin.panels import Panel
from wagtail.models import Site

from ..permissions import has_billing_permission, may_change_clients
from .links import account_url, admin_site


class ClientAccountPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "caseflow_wagtail/admin/client_account_panel.html"

        def is_shown(self) -> bool:
            return has_billing_permission(getattr(self.request, "user", None)) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            client = self.instance
            # The copy view's form starts from the original client, whose link is not the copy's; panels
            # are rendered without the view's context, so the route tells the two apart.
            route = getattr(getattr(self.request, "resolver_match", None), "url_name", "edit")
            editing = bool(client.pk) and route != "copy"
            context["billing_client"] = client
            context["saved"] = editing
            if editing:
                site = admin_site(self.request)
                context["account_url"] = account_url(client, site)
                context["site_name"] = (site.site_name or site.hostname) if site else ""
                # Named only when it matters: the same token lists another site's invoices on its address.
                context["several_sites"] = Site.objects.count() > 1
                context["may_regenerate"] = may_change_clients(getattr(self.request, "user", None))
            return context
