from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from wagtail.models import Site

from caseflow_wagtail.exceptions import ConfigurationError
from caseflow_wagtail.models import PaymentGatewaySettings

pytestmark = pytest.mark.django_db


def test_rotating_the_encryption_key_keeps_every_secret_readable(home_page, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CASEFLOW_WAGTAIL = {"ENCRYPTION_KEYS": [old]}
    row = PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))
    row.set_secret_key("sk_test_rotation1234")
    row.set_webhook_secret("whsec_" + "r5" * 16)
    row.save()

    settings.CASEFLOW_WAGTAIL = {"ENCRYPTION_KEYS": [new, old]}
    call_command("caseflow_rotate_secrets")
    settings.CASEFLOW_WAGTAIL = {"ENCRYPTION_KEYS": [new]}

    rotated = PaymentGatewaySettings.objects.get(pk=row.pk)
    assert rotated.get_secret_key() == "sk_test_rotation1234"
    assert rotated.get_webhook_secrets() == ["whsec_" + "r5" * 16]

    settings.CASEFLOW_WAGTAIL = {"ENCRYPTION_KEYS": [Fernet.generate_key().decode()]}
    with pytest.raises(ConfigurationError, match="ENCRYPTION_KEYS"):
        PaymentGatewaySettings.objects.get(pk=row.pk).get_secret_key()
