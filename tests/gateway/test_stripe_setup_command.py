from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from caseflow_wagtail.models import PaymentGatewaySettings

pytestmark = pytest.mark.django_db


def test_the_command_saves_checked_keys_and_connects_the_webhook(
    home_page, stripe_settings, emulator, capsys
):
    emulator.reset()

    call_command(
        "caseflow_stripe_setup",
        "--publishable-key", emulator.publishable_key,
        "--secret-key", emulator.secret_key,
        "--enable",
        "--webhook",
    )  # fmt: skip
    call_command("caseflow_stripe_setup", "--webhook")

    out = capsys.readouterr().out
    assert "test mode" in out
    assert emulator.secret_key not in out
    stored = PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))
    assert stored.accepts_online_payments()
    assert stored.get_secret_key() == emulator.secret_key
    assert [e.id for e in emulator.stripe_client().v1.webhook_endpoints.list().data] == [
        stored.webhook_endpoint_id
    ]
    assert f"Webhook active ({stored.webhook_endpoint_id})" in out


def test_bad_keys_are_refused_and_nothing_is_saved(home_page, stripe_settings):
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command(
            "caseflow_stripe_setup", "--publishable-key", "pk_live_x", "--secret-key", "sk_test_abcdefgh"
        )

    assert (
        PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True)).stripe_secret_key_encrypted
        == ""
    )
