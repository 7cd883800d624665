"""The package's modules stay small enough to read in one go (migrations aside; the emulator has its own)."""

from __future__ import annotations

import ast
from pathlib import Path

import caseflow_wagtail

ROOT = Path(caseflow_wagtail.__file__).parent


def test_no_module_of_the_package_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


# What the models must never reach, directly or inside a function: Stripe, the views, the forms that check
# keys with Stripe, and Pay Now (which calls Stripe).
NOT_FROM_MODELS = ("stripe_api", "stripe_client", "views", "gateway_form", "gateway_panels", "checkout")


def _imported_modules(path: Path) -> set[str]:
    """Every module of the package a models module imports, inside functions too (relative to the package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = (node.module or "").split(".")[0]
            if node.level >= 2 and base:  # ``from ..x import y``: the package's module x
                found.add(base)
            elif node.level >= 2:  # ``from .. import x, y``
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("caseflow_wagtail."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("caseflow_wagtail.")}
    return found


def test_the_models_reach_neither_stripe_nor_views_nor_forms_that_call_stripe():
    reached = {
        path.name: sorted(_imported_modules(path) & set(NOT_FROM_MODELS))
        for path in (ROOT / "models").glob("*.py")
    }
    assert {name: modules for name, modules in reached.items() if modules} == {}
