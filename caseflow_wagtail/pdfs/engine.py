"""WeasyPrint, and nothing fetched while rendering but the package's own static files.

Imported only by ``render``, inside the call that needs it: importing WeasyPrint loads Pango, and a site
without it must still start.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """A resource outside the package's static files (WeasyPrint logs it and renders without it)."""


class StaticFilesOnly(URLFetcher):
    """Serves ``data:`` URLs and files under ``roots``; refuses the network and every other file, so that
    text from an invoice (a link, an image in the notes) can never make the server fetch anything."""

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if any(path.is_relative_to(root) for root in self._roots):
                return super().fetch(url, headers)
        logger.warning("Refused to fetch %s while rendering a PDF", scheme or "a relative URL")
        raise RefusedFetch(f"not one of the package's static files: {url[:200]}")


def write_pdf(html: str, stylesheets: Sequence[Path], roots: Sequence[Path]) -> bytes:
    fetcher = StaticFilesOnly(roots)
    base_url = roots[0].as_uri() + "/" if roots else None
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    sheets = [CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets]
    pdf = document.write_pdf(stylesheets=sheets)
    if not pdf:
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
