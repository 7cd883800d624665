from __future__ import annotations

import pytest
from wagtail.models import Site

from caseflow_wagtail import checks
from caseflow_wagtail.models import PaymentGatewaySettings

pytestmark = pytest.mark.django_db


def no_plan(site) -> bool:
    return False


def check_ids(problems) -> set[str]:
    return {problem.id for problem in problems}


@pytest.fixture
def gateway(home_page) -> PaymentGatewaySettings:
    row = PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))
    row.online_payments_enabled = True
    row.stripe_publishable_key = "pk_test_abc"
    row.set_secret_key("sk_test_abcdefgh")
    row.save()
    return row


def test_a_plan_without_online_payments_explains_itself_and_turns_payments_off(
    admin_client, gateway_url, gateway, settings
):
    assert gateway.accepts_online_payments()
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "PLAN_CHECK": f"{__name__}.no_plan"}

    page = admin_client.get(gateway_url).content.decode()

    assert "available only on plans that include them" in page
    assert not PaymentGatewaySettings.objects.get(pk=gateway.pk).accepts_online_payments()


def test_secret_from_the_environment_is_not_editable(admin_client, gateway_url, gateway, monkeypatch):
    monkeypatch.setenv("CASEFLOW_STRIPE_SECRET_KEY", "sk_test_fromenvironment9876")

    response = admin_client.get(gateway_url)
    page = response.content.decode()

    assert "CASEFLOW_STRIPE_SECRET_KEY" in page
    assert "••••9876" in page
    assert "sk_test_fromenvironment9876" not in page
    assert response.context["form"].fields["stripe_secret_key"].disabled
    assert PaymentGatewaySettings.objects.get(pk=gateway.pk).get_secret_key() == "sk_test_fromenvironment9876"


def test_checks_flag_live_keys_with_debug_missing_receipts_backend_and_webhook(gateway, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    gateway.stripe_publishable_key = "pk_live_abc"
    gateway.set_secret_key("sk_live_abcdefgh")
    gateway.save()

    found = check_ids(checks.check_payment_gateways())

    assert {"caseflow_wagtail.W011", "caseflow_wagtail.W013"} <= found
    # The console backend is a development choice: only a deployment check says it sends no receipts.
    assert "caseflow_wagtail.W012" not in found
    assert "caseflow_wagtail.W012" in check_ids(checks.check_deployment())

    gateway.set_webhook_secret("whsec_" + "q1" * 16)
    gateway.save()
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.DEBUG = False
    assert check_ids(checks.check_payment_gateways()) == set()
    assert check_ids(checks.check_deployment()) == set()


def test_checks_refuse_an_emulator_address_with_live_keys(gateway, settings):
    gateway.stripe_publishable_key = "pk_live_abc"
    gateway.set_secret_key("sk_live_abcdefgh")
    gateway.save()
    settings.CASEFLOW_WAGTAIL = {**settings.CASEFLOW_WAGTAIL, "STRIPE_API_BASE": "http://127.0.0.1:12111"}

    assert "caseflow_wagtail.E010" in check_ids(checks.check_payment_gateways())


def test_checks_flag_a_missing_encryption_key_in_production(db, settings):
    settings.DEBUG = False
    settings.CASEFLOW_WAGTAIL = {}

    assert "caseflow_wagtail.W010" in check_ids(checks.check_deployment())
    assert "caseflow_wagtail.W010" not in check_ids(checks.check_payment_gateways())


def test_a_live_key_is_never_sent_to_an_emulator(settings):
    from caseflow_wagtail.exceptions import ConfigurationError
    from caseflow_wagtail.stripe_api import StripeGateway

    settings.CASEFLOW_WAGTAIL = {"STRIPE_API_BASE": "http://127.0.0.1:12111"}
    with pytest.raises(ConfigurationError):
        StripeGateway("sk_live_abcdefgh")


def test_secret_methods_cannot_be_called_from_templates(gateway):
    from django.template import Context, Template

    rendered = Template("[{{ gateway.get_secret_key }}][{{ gateway.get_webhook_secrets }}]").render(
        Context({"gateway": gateway})
    )

    assert rendered == "[][]"
