from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow_wagtail.models import PaymentGatewaySettings


@pytest.fixture
def gateway_url(home_page):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    meta = PaymentGatewaySettings._meta
    return reverse("wagtailsettings:edit", args=[meta.app_label, meta.model_name, site.pk])


def gateway_form_data(**overrides) -> dict:
    data = {
        "online_payments_enabled": "on",
        "stripe_publishable_key": "",
        "stripe_secret_key": "",
        "description_template": "Payment for Invoice {invoice_number}",
        "currencies_accepted": "USD,CAD",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
