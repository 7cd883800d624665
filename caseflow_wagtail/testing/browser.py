"""Debian's Chromium driven by Playwright, shared by every test in a process.

Playwright's sync API allows one instance per thread, so test suites that want a browser in several places
(a host site's tests and the emulator's) share this one. Browser downloads are impossible on machines
without internet access, so the system Chromium is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("CASEFLOW_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_shared: dict[str, Any] = {"playwright": None, "browser": None, "users": 0}


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A running Chromium (a ``playwright.sync_api.Browser``), started on first use, closed after the last."""
    if _shared["browser"] is None:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared["browser"].close()
            _shared["playwright"].stop()
            _shared.update(playwright=None, browser=None)
