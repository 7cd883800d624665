"""The package's modules stay small enough to read in one go (migrations aside; the emulator has its own)."""

from __future__ import annotations

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
