"""Going through a reconciliation action's confirm page as staff do: open it, then press its button."""

from __future__ import annotations

import re


def confirm_form(response) -> dict[str, str]:
    """The hidden fields of the confirm page's form, as its button sends them."""
    form = re.search(r'<form action="[^"]*" method="POST"[^>]*>(.*?)</form>', response.content.decode(), re.S)
    assert form, "no confirm form"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))


def confirm(client, url: str, data: dict | None = None, follow: bool = False):
    """Open the action's page with ``data`` (what the listing's link or form sends) and confirm it.

    When the page refuses (already recorded, no such invoice) it sends staff back: that answer is returned.
    """
    page = client.get(url, data or {})
    if page.status_code != 200:
        return client.get(page["Location"]) if follow and page.status_code == 302 else page
    return client.post(url, confirm_form(page), follow=follow)
