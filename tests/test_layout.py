"""The package's modules stay small enough to read in one go (migrations aside; the emulator has its own),
and each tool's settings have one home."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import caseflow_wagtail
from tests.import_graph import cycles_in, import_graph, reached_from

ROOT = Path(caseflow_wagtail.__file__).parent
REPO = Path(__file__).resolve().parent.parent


def test_no_module_of_the_package_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


def test_the_package_imports_without_a_cycle():
    """Counting imports inside functions: each part of the package sits above the parts it uses."""
    assert cycles_in(import_graph(caseflow_wagtail)) == []


# What the models must never reach, directly, inside a function or through the modules they import:
# Stripe, the views, the forms that check keys with Stripe, and opening Checkout (which calls Stripe).
NOT_FROM_MODELS = {
    f"caseflow_wagtail.{name}"
    for name in (
        "stripe_api",
        "stripe_client",
        "views",
        "gateway_form",
        "gateway_panels",
        "payments.checkout",
    )
}


def test_the_models_reach_neither_stripe_nor_views_nor_forms_that_call_stripe():
    graph = import_graph(caseflow_wagtail)
    reached = {
        name: sorted(
            target
            for target in reached_from(graph, name)
            if any(target == bad or target.startswith(bad + ".") for bad in NOT_FROM_MODELS)
        )
        for name in graph
        if name.startswith("caseflow_wagtail.models")
    }
    assert {name: modules for name, modules in reached.items() if modules} == {}


def test_pytest_and_mypy_read_setup_cfg_and_nothing_is_set_twice(pytestconfig):
    """setup.cfg holds what its readers take from it (pytest, mypy and its django-stubs plugin);
    pyproject.toml keeps packaging and ruff, which reads no setup.cfg."""
    setup_cfg = configparser.RawConfigParser()
    assert setup_cfg.read(REPO / "setup.cfg"), "no setup.cfg next to pyproject.toml"
    tools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]

    assert {"tool:pytest", "mypy", "mypy.plugins.django-stubs"} <= set(setup_cfg.sections())
    assert pytestconfig.inipath == REPO / "setup.cfg"
    assert not {"pytest", "mypy", "django-stubs"} & set(tools), "set in setup.cfg: remove from pyproject.toml"
    assert {"ruff", "setuptools"} <= set(tools)
    assert not any(name.startswith(("flake8", "isort", "ruff", "options", "metadata")) for name in setup_cfg)
    # setuptools reads every section of setup.cfg with "%" interpolation while building the wheel.
    assert not [
        (section, key)
        for section in setup_cfg.sections()
        for key, value in setup_cfg.items(section)
        if "%" in value
    ]


# The last wagtailcore migration of Wagtail 7.0 LTS, the oldest Wagtail the package supports: a migration
# of ours that needs a newer one cannot even be loaded there.
OLDEST_WAGTAILCORE = "0094_alter_page_locale"


def test_no_migration_needs_a_wagtail_newer_than_the_oldest_supported():
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    newer = sorted(
        f"{name} → wagtailcore.{parent}"
        for (app, name), migration in loader.disk_migrations.items()
        if app == "caseflow_wagtail"
        for parent_app, parent in migration.dependencies
        if parent_app == "wagtailcore" and parent > OLDEST_WAGTAILCORE
    )
    assert newer == []
