"""A full configure-and-setup run, watching every place a secret could escape to."""

from __future__ import annotations

import json
import logging

import pytest
from django.forms.models import model_to_dict
from django.test.signals import template_rendered
from django.urls import reverse
from wagtail.models import ModelLogEntry, Site

from caseflow_wagtail.models import PaymentGatewaySettings

from .conftest import gateway_form_data

pytestmark = pytest.mark.django_db


class Witness:
    """Collects everything an admin session shows, renders or logs."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def saw_template(self, sender, template, context, **kwargs) -> None:
        for layer in context.dicts if hasattr(context, "dicts") else [context]:
            for key, value in dict(layer).items():
                self.texts.append(f"{key}={value!r}")
                lazy_settings = getattr(value, "caseflow_wagtail", None) if key == "settings" else None
                if lazy_settings is not None:
                    # Wagtail's settings context processor: what any template could print.
                    row = lazy_settings.PaymentGatewaySettings
                    self.texts.append(json.dumps(model_to_dict(row), default=str))

    def count(self, secret: str) -> int:
        return sum(text.count(secret) for text in self.texts)


def test_secret_key_and_signing_secret_appear_nowhere(
    admin_client, gateway_url, stripe_settings, emulator, caplog
):
    emulator.reset()
    witness = Witness()
    template_rendered.connect(witness.saw_template)
    caplog.set_level(logging.DEBUG)
    site = Site.objects.get(is_default_site=True)
    setup_url = reverse("caseflow_wagtail_gateway:webhook_setup", args=[site.pk])
    secret_url = reverse("caseflow_wagtail_gateway:webhook_secret", args=[site.pk])
    try:
        responses = [
            admin_client.get(gateway_url),
            # A refused save re-renders the form with the submitted secret in the request.
            admin_client.post(
                gateway_url,
                gateway_form_data(
                    stripe_publishable_key=emulator.publishable_key,
                    stripe_secret_key=emulator.secret_key,
                    currencies_accepted="XYZ",
                ),
            ),
            admin_client.post(
                gateway_url,
                gateway_form_data(
                    stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
                ),
                follow=True,
            ),
            admin_client.get(setup_url),
            admin_client.post(setup_url, follow=True),
            admin_client.post(setup_url, follow=True),
            admin_client.get(secret_url),
            admin_client.get(gateway_url),
            admin_client.get(reverse("wagtailadmin_home")),
        ]
    finally:
        template_rendered.disconnect(witness.saw_template)

    signing_secret = PaymentGatewaySettings.for_site(site).get_webhook_secrets()[0]
    assert signing_secret.startswith("whsec_")
    witness.texts += [response.content.decode() for response in responses]
    witness.texts += [f"{record.getMessage()} {record.args!r}" for record in caplog.records]
    witness.texts += [json.dumps(entry.data) for entry in ModelLogEntry.objects.all()]
    assert all(response.status_code == 200 for response in responses)
    assert len(witness.texts) > 100  # the run really rendered pages and logged

    assert witness.count(emulator.secret_key) == 0
    assert witness.count(emulator.secret_key[len("sk_test_") :]) == 0
    assert witness.count(signing_secret) == 0
    assert witness.count(signing_secret[6:]) == 0
