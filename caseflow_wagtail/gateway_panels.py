"""The Payment Gateways settings screen: its panels and form, attached to the model when the app is ready.

They live on the admin side because the form checks keys with Stripe and the webhook panel asks whether
Stripe can reach the site: the model itself stays free of both.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel, ObjectList

from .gateway_form import PaymentGatewaySettingsForm
from .models import PaymentGatewaySettings
from .webhooks.setup import setup_blocker


class WebhookPanel(HelpPanel):
    """The webhook's state, the setup button, and why Stripe could not reach this site when it could not."""

    class BoundPanel(HelpPanel.BoundPanel):
        @cached_property
        def setup_blocker(self) -> str:
            gateway = self.instance
            if not gateway.pk or not gateway.has_secret_key:
                return ""
            return setup_blocker(gateway.site, gateway)


def edit_handler() -> ObjectList:
    return ObjectList(
        [
            HelpPanel(template="caseflow_wagtail/admin/gateway_status_panel.html"),
            MultiFieldPanel(
                [
                    FieldPanel("online_payments_enabled"),
                    FieldPanel("stripe_publishable_key"),
                    FieldPanel("stripe_secret_key"),
                    FieldPanel("attest_operating_account"),
                ],
                heading=_("Stripe"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("description_template"),
                    FieldPanel("currencies_accepted"),
                    FieldPanel("allow_card_update"),
                    FieldPanel("allow_amount_edit"),
                ],
                heading=_("Payment options"),
            ),
            WebhookPanel(template="caseflow_wagtail/admin/gateway_webhook_panel.html"),
        ],
        base_form_class=PaymentGatewaySettingsForm,
    )


def attach() -> None:
    """Called from ``apps.ready``, before any request builds the settings form."""
    PaymentGatewaySettings.base_form_class = PaymentGatewaySettingsForm
    PaymentGatewaySettings.edit_handler = edit_handler()
