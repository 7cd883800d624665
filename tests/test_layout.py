"""The package's modules stay small enough to read in one go (migrations aside; the emulator has its own)."""

from __future__ import annotations

from pathlib import Path

import caseflow_wagtail
from tests.import_graph import cycles_in, import_graph, reached_from

ROOT = Path(caseflow_wagtail.__file__).parent


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
