"""The emulator's modules stay small and import one another without a cycle (see its package docstring)."""

from __future__ import annotations

import caseflow_wagtail.testing.stripe_emulator as emulator
from tests.import_graph import cycles_in, import_graph, modules_of


def test_no_module_is_over_400_lines():
    long = {
        name: n
        for name, path in modules_of(emulator).items()
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


def test_the_modules_import_one_another_without_a_cycle():
    assert cycles_in(import_graph(emulator)) == []
