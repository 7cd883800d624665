from __future__ import annotations

import pytest
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings

from .conftest import gateway_form_data

pytestmark = pytest.mark.django_db


def saved_settings() -> PaymentGatewaySettings:
    return PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))


def test_saving_test_keys_shows_test_mode_and_hides_the_secret(
    admin_client, gateway_url, stripe_settings, emulator
):
    response = admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
        ),
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "TEST MODE" in page
    assert emulator.secret_key not in page
    assert f"••••{emulator.secret_key[-4:]}" in page
    stored = saved_settings()
    assert stored.get_secret_key() == emulator.secret_key
    assert emulator.secret_key not in stored.stripe_secret_key_encrypted
    assert stored.accepts_online_payments()


def test_blank_secret_keeps_the_stored_one(admin_client, gateway_url, stripe_settings, emulator):
    admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
        ),
    )
    response = admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, currencies_accepted="usd, eur, USD"
        ),
    )

    assert response.status_code == 302
    stored = saved_settings()
    assert stored.get_secret_key() == emulator.secret_key
    assert stored.currencies_accepted == "USD,EUR"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"stripe_publishable_key": "pk_test_abc", "stripe_secret_key": "pk_test_abc"},
            "stripe_secret_key",
            "publishable key",
        ),
        (
            {"stripe_publishable_key": "sk_test_abcdef", "stripe_secret_key": "sk_test_abcdef"},
            "stripe_publishable_key",
            "secret key",
        ),
        (
            {"stripe_publishable_key": "pk_live_abc", "stripe_secret_key": "sk_test_abcdefgh"},
            "stripe_secret_key",
            "one mode",
        ),
        (
            {"stripe_publishable_key": "hello", "stripe_secret_key": "sk_test_abcdefgh"},
            "stripe_publishable_key",
            "pk_test_",
        ),
        (
            {"stripe_publishable_key": "pk_test_abc", "stripe_secret_key": "whatever"},
            "stripe_secret_key",
            "sk_test_",
        ),
        ({"currencies_accepted": "USD,XYZ"}, "currencies_accepted", "ISO 4217"),
        (
            {"description_template": "Invoice {invoice_number} for {client_name}"},
            "description_template",
            "{client_name}",
        ),
        ({"description_template": "Invoice {invoice_number"}, "description_template", "Braces"),
        (
            {"stripe_publishable_key": "", "stripe_secret_key": ""},
            "online_payments_enabled",
            "Add the Stripe",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    admin_client, gateway_url, stripe_settings, overrides, field, message
):
    before = saved_settings()
    response = admin_client.post(gateway_url, gateway_form_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    after = saved_settings()
    assert after.stripe_publishable_key == before.stripe_publishable_key
    assert after.stripe_secret_key_encrypted == before.stripe_secret_key_encrypted
    assert after.currencies_accepted == before.currencies_accepted
    assert after.description_template == before.description_template


def test_a_key_stripe_rejects_is_a_form_error(admin_client, gateway_url, stripe_settings, emulator):
    # The emulator answers 401 for a key of the wrong shape, as Stripe does for a revoked key.
    response = admin_client.post(
        gateway_url,
        gateway_form_data(stripe_publishable_key="pk_test_abc", stripe_secret_key="sk_test_x"),
    )

    assert response.status_code == 200
    assert "Stripe rejected the secret key" in " ".join(response.context["form"].errors["stripe_secret_key"])
    assert saved_settings().stripe_secret_key_encrypted == ""


def test_unreachable_stripe_saves_with_a_warning(admin_client, gateway_url, settings, emulator):
    settings.CASEFLOW_WAGTAIL = {"STRIPE_API_BASE": "http://127.0.0.1:9", "STRIPE_TIMEOUT": 2}

    response = admin_client.post(
        gateway_url,
        gateway_form_data(stripe_publishable_key="pk_test_abc", stripe_secret_key="sk_test_abcdefgh"),
        follow=True,
    )

    assert "could not be reached" in response.content.decode()
    assert saved_settings().get_secret_key() == "sk_test_abcdefgh"


def test_live_keys_need_the_operating_account_attestation(admin_client, gateway_url, settings):
    # Live keys are never sent to an emulator; a proxy nobody listens on keeps the check on this machine,
    # where Stripe is unreachable, so the key is saved with a warning.
    settings.CASEFLOW_WAGTAIL = {"STRIPE_TIMEOUT": 2, "STRIPE_PROXY": "http://127.0.0.1:9"}
    data = gateway_form_data(stripe_publishable_key="pk_live_abc", stripe_secret_key="sk_live_abcdefgh")

    refused = admin_client.post(gateway_url, data)
    assert "attest_operating_account" in refused.context["form"].errors
    assert saved_settings().stripe_secret_key_encrypted == ""

    accepted = admin_client.post(gateway_url, {**data, "attest_operating_account": "on"}, follow=True)
    assert accepted.status_code == 200
    stored = saved_settings()
    assert stored.live_attested_at is not None
    assert stored.live_attested_by.username == "admin"
    assert "LIVE MODE" in accepted.content.decode()
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="caseflow_wagtail.live_mode_attested").count() == 1


def test_the_trust_account_warning_is_always_shown(admin_client, gateway_url):
    page = admin_client.get(gateway_url).content.decode()
    assert "never a trust or IOLTA account" in page
    assert "NOT CONFIGURED" in page


def test_a_secret_key_pasted_as_the_publishable_key_is_never_shown_back(
    admin_client, gateway_url, stripe_settings, emulator
):
    response = admin_client.post(gateway_url, gateway_form_data(stripe_publishable_key=emulator.secret_key))

    assert response.status_code == 200
    assert "stripe_publishable_key" in response.context["form"].errors
    assert emulator.secret_key not in response.content.decode()
    assert emulator.secret_key[8:] not in response.content.decode()


def test_the_badge_shows_the_saved_mode_not_the_keys_typed_into_a_refused_form(
    admin_client, gateway_url, stripe_settings, emulator
):
    admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
        ),
    )
    # Live keys typed, refused (no attestation): nothing changed, so the panel still says TEST MODE.
    refused = admin_client.post(
        gateway_url,
        gateway_form_data(stripe_publishable_key="pk_live_abc", stripe_secret_key="sk_live_abcdefgh"),
    )

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "caseflow-mode--test" in page and "caseflow-mode--live" not in page


def test_live_keys_against_the_emulator_are_a_form_error_not_a_500(
    admin_client, gateway_url, stripe_settings, emulator
):
    response = admin_client.post(
        gateway_url,
        {
            **gateway_form_data(stripe_publishable_key="pk_live_abc", stripe_secret_key="sk_live_abcdefgh"),
            "attest_operating_account": "on",
        },
    )

    assert response.status_code == 200
    assert "emulator" in " ".join(response.context["form"].errors["stripe_secret_key"])
    assert saved_settings().stripe_secret_key_encrypted == ""


def test_a_secret_key_of_another_account_asks_for_the_webhook_again(
    admin_client, gateway_url, stripe_settings, emulator
):
    admin_client.post(
        gateway_url,
        gateway_form_data(
            stripe_publishable_key=emulator.publishable_key, stripe_secret_key=emulator.secret_key
        ),
    )
    gateway = saved_settings()
    endpoint = emulator.stripe_client().v1.webhook_endpoints.create(
        params={"url": "https://firm.example/billing/webhooks/stripe/1/", "enabled_events": ["*"]}
    )
    gateway.webhook_endpoint_id = endpoint.id
    gateway.set_webhook_secret(endpoint.secret)
    gateway.save()
    # Each secret key is its own account in the emulator, as two Stripe accounts are.
    other_account = "sk_test_" + "other" * 6

    response = admin_client.post(
        gateway_url,
        gateway_form_data(stripe_publishable_key="pk_test_other", stripe_secret_key=other_account),
        follow=True,
    )

    assert "Set up the webhook again" in response.content.decode()
    stored = saved_settings()
    assert stored.get_secret_key() == other_account
    assert stored.webhook_endpoint_id == "" and not stored.webhook_configured
