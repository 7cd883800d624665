"""Logging a partner (a superuser) in to the Wagtail admin in Chromium, as the browser tests begin."""

from __future__ import annotations

import re

PARTNER, PASSWORD = "partner", "correct horse"


def log_in_as_partner(page, django_user_model, base_url: str = "") -> None:
    """Create the partner if needed and log in through the admin's login form; ``base_url`` is empty when
    the browser context already has one."""
    if not django_user_model.objects.filter(username=PARTNER).exists():
        django_user_model.objects.create_superuser(PARTNER, "partner@firm.test", PASSWORD)
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", PARTNER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
