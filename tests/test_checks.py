"""Each system check fires on the misconfiguration it names, and only then."""

from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.checks import Error, Warning, run_checks
from django.test import override_settings
from wagtail.models import Site

from caseflow_wagtail import checks
from caseflow_wagtail.models import PaymentGatewaySettings

# A URLconf for a site that forgot ``include("caseflow_wagtail.urls")``.
urlpatterns: list = []

FERNET_KEY = Fernet.generate_key().decode()
# Everything a production site needs, so that each test can break exactly one thing.
GOOD = {"FIRM_NAME": "", "ENCRYPTION_KEYS": [FERNET_KEY]}


def ids(problems) -> list[str]:
    return sorted(problem.id for problem in problems)


@pytest.fixture(autouse=True)
def good_settings(settings):
    settings.CASEFLOW_WAGTAIL = dict(GOOD)
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


def caseflow_ids(*, deploy: bool) -> list[str]:
    """What ``manage.py check`` (and every other command, and Django's test runner) reports, or with
    ``deploy`` what ``manage.py check --deploy`` adds."""
    return sorted(
        problem.id
        for problem in run_checks(include_deployment_checks=deploy)
        if problem.id.startswith("caseflow_wagtail")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("deploy", [False, True], ids=["everyday", "deploy"])
def test_a_correct_configuration_passes_every_check(deploy):
    assert caseflow_ids(deploy=deploy) == []


# -- installation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", checks.REQUIRED_APPS)
def test_e001_a_required_app_is_missing(app):
    # Narrow the app registry the way Django's own test cases do (``available_apps``): overriding
    # INSTALLED_APPS would run every app's ready() a second time.
    installed = [config.name for config in apps.get_app_configs()]
    apps.set_available_apps([name for name in installed if name != app])
    try:
        problems = checks.check_installed_apps()
    finally:
        apps.unset_available_apps()

    assert ids(problems) == ["caseflow_wagtail.E001"]
    assert app in problems[0].msg
    assert problems[0].hint == f"Add {app!r} to INSTALLED_APPS."
    assert isinstance(problems[0], Error)


def test_e001_silent_when_everything_is_installed():
    assert checks.check_installed_apps() == []


@override_settings(ROOT_URLCONF=__name__)
def test_e002_the_billing_urls_are_not_included():
    problems = checks.check_urls_included()

    assert ids(problems) == ["caseflow_wagtail.E002"]
    assert 'include("caseflow_wagtail.urls")' in problems[0].hint


def test_e002_silent_when_included():
    assert checks.check_urls_included() == []


# -- the CASEFLOW_WAGTAIL dict ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["FIRM_NAME=Smith", ["DEFAULT_CURRENCY", "USD"], 42])
def test_e003_the_settings_are_not_a_dict(settings, value):
    settings.CASEFLOW_WAGTAIL = value

    assert ids(checks.check_settings_dict()) == ["caseflow_wagtail.E003"]


@pytest.mark.django_db
def test_e003_is_reported_by_the_check_command_rather_than_crashing_it(settings):
    # Every other check reads settings through the same dict; none may raise on the way to reporting it.
    settings.CASEFLOW_WAGTAIL = "FIRM_NAME=Smith"

    found = [problem.id for problem in run_checks() if problem.id.startswith("caseflow_wagtail")]

    assert "caseflow_wagtail.E003" in found


def test_w001_an_unknown_setting_is_named(settings):
    settings.CASEFLOW_WAGTAIL = {**GOOD, "DEFAULT_CURRENCEY": "EUR"}

    problems = checks.check_settings_dict()

    assert ids(problems) == ["caseflow_wagtail.W001"]
    assert 'CASEFLOW_WAGTAIL["DEFAULT_CURRENCEY"]' in problems[0].msg
    assert isinstance(problems[0], Warning)


@pytest.mark.parametrize("code", ["EURO", "ZZZ", "", "eu"])
def test_e004_the_default_currency_is_not_iso_4217(settings, code):
    settings.CASEFLOW_WAGTAIL = {**GOOD, "DEFAULT_CURRENCY": code}

    problems = checks.check_settings_dict()

    assert ids(problems) == ["caseflow_wagtail.E004"]
    assert 'CASEFLOW_WAGTAIL["DEFAULT_CURRENCY"]' in problems[0].msg


def test_e004_silent_for_a_lowercase_code(settings):
    settings.CASEFLOW_WAGTAIL = {**GOOD, "DEFAULT_CURRENCY": "eur"}

    assert checks.check_settings_dict() == []


@pytest.mark.parametrize("key", ["INVOICE_NUMBER_DIGITS", "PAYMENT_TERMS_DAYS"])
@pytest.mark.parametrize("value", [-1, "30", 2.5, True, None])
def test_e005_a_count_is_not_a_whole_number(settings, key, value):
    settings.CASEFLOW_WAGTAIL = {**GOOD, key: value}

    problems = checks.check_settings_dict()

    assert ids(problems) == ["caseflow_wagtail.E005"]
    assert f'CASEFLOW_WAGTAIL["{key}"]' in problems[0].msg


@pytest.mark.parametrize("key", ["INVOICE_NUMBER_DIGITS", "PAYMENT_TERMS_DAYS"])
def test_e005_silent_for_zero(settings, key):
    settings.CASEFLOW_WAGTAIL = {**GOOD, key: 0}

    assert checks.check_settings_dict() == []


# -- Payment Gateways --------------------------------------------------------------------------------------


@pytest.fixture
def gateway(home_page) -> PaymentGatewaySettings:
    row = PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))
    row.online_payments_enabled = True
    row.stripe_publishable_key = "pk_test_abc"
    row.set_secret_key("sk_test_abcdefgh")
    row.set_webhook_secret("whsec_" + "q1" * 16)
    row.save()
    return row


def go_live(gateway):
    gateway.stripe_publishable_key = "pk_live_abc"
    gateway.set_secret_key("sk_live_abcdefgh")
    gateway.save()


@pytest.mark.django_db
def test_payment_gateway_checks_silent_when_configured(gateway):
    go_live(gateway)

    assert checks.check_payment_gateways() == []
    assert checks.check_deployment() == []


@pytest.mark.django_db
def test_w010_secrets_encrypted_with_a_key_derived_from_secret_key(settings):
    settings.CASEFLOW_WAGTAIL = {"FIRM_NAME": ""}

    problems = checks.check_deployment()

    assert ids(problems) == ["caseflow_wagtail.W010"]
    assert 'CASEFLOW_WAGTAIL["ENCRYPTION_KEYS"]' in problems[0].hint
    # A production deployment is told, whatever settings it is checked with.
    assert caseflow_ids(deploy=True) == ["caseflow_wagtail.W010"]


@pytest.mark.django_db
def test_w010_is_not_repeated_on_every_command_or_test_run(settings):
    # Django's test runner turns DEBUG off before it runs the checks: a development site without its own
    # encryption keys heard W010 at the top of every test run.
    settings.CASEFLOW_WAGTAIL = {"FIRM_NAME": ""}
    settings.DEBUG = False

    assert caseflow_ids(deploy=False) == []


@pytest.mark.django_db
def test_w011_live_keys_while_debug(gateway, settings):
    go_live(gateway)
    settings.DEBUG = True

    assert ids(checks.check_payment_gateways()) == ["caseflow_wagtail.W011"]


@pytest.mark.django_db
def test_e010_live_keys_with_a_stripe_address_override(gateway, settings):
    go_live(gateway)
    settings.CASEFLOW_WAGTAIL = {**GOOD, "STRIPE_API_BASE": "http://127.0.0.1:12111"}

    problems = checks.check_payment_gateways()

    assert ids(problems) == ["caseflow_wagtail.E010"]
    assert isinstance(problems[0], Error)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend",
    ["django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.dummy.EmailBackend"],
)
def test_w012_payments_on_but_no_receipt_delivery(gateway, settings, backend):
    settings.EMAIL_BACKEND = backend

    assert ids(checks.check_deployment()) == ["caseflow_wagtail.W012"]
    assert caseflow_ids(deploy=True) == ["caseflow_wagtail.W012"]


@pytest.mark.django_db
def test_w012_is_not_repeated_on_every_command_in_development(gateway, settings):
    # A development site printing receipts to the console heard W012 on every manage.py command.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEBUG = True

    assert caseflow_ids(deploy=False) == []


@pytest.mark.django_db
def test_w012_silent_while_no_site_takes_online_payments(gateway, settings):
    gateway.online_payments_enabled = False
    gateway.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    assert caseflow_ids(deploy=True) == []


@pytest.mark.django_db
def test_w013_payments_on_but_no_webhook(home_page):
    row = PaymentGatewaySettings.for_site(Site.objects.get(is_default_site=True))
    row.online_payments_enabled = True
    row.stripe_publishable_key = "pk_test_abc"
    row.set_secret_key("sk_test_abcdefgh")
    row.save()

    problems = checks.check_payment_gateways()

    assert ids(problems) == ["caseflow_wagtail.W013"]
    assert "Set up webhook" in problems[0].hint


# -- every check id has a test above ---------------------------------------------------------------------


def test_every_check_id_is_tested_here():
    declared = set(re.findall(r"caseflow_wagtail\.[EW]\d{3}", Path(checks.__file__).read_text()))
    tested = set(re.findall(r"def test_([ew]\d{3})_", Path(__file__).read_text()))

    assert declared, "no check ids found"
    assert {f"caseflow_wagtail.{name.upper()}" for name in tested} >= declared


@pytest.mark.skipif(django.VERSION < (6, 1), reason="MAILERS exists from Django 6.1")
def test_receipt_backend_check_reads_mailers_on_django_61(settings):
    del settings.EMAIL_BACKEND
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

    assert checks.receipt_mail_backend() == (
        'MAILERS["default"]',
        "django.core.mail.backends.console.EmailBackend",
    )


def test_w014_sqlite_without_immediate_transactions():
    databases = {
        "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3", "OPTIONS": {}},
        "deferred": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": "deferred.sqlite3",
            "OPTIONS": {"transaction_mode": "deferred"},
        },
        "immediate": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": "immediate.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        },
        "postgres": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"},
    }
    problems = checks.sqlite_transaction_problems(databases)
    assert [p.id for p in problems] == ["caseflow_wagtail.W014"] * 2
    assert ["'other'" in problems[0].msg, "'deferred'" in problems[1].msg] == [True, True]
    assert 'DATABASES["other"]["OPTIONS"]' in problems[0].hint
