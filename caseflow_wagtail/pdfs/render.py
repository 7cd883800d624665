"""A template to PDF bytes with the invoice page's stylesheet and the print one; any failure is a
``PdfError`` naming what to fix, never a half-written file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..exceptions import CaseflowError

# The page's own stylesheet first, so that the PDF looks like the page; the print rules after it.
STYLESHEETS = ("caseflow_wagtail/css/invoice.css", "caseflow_wagtail/css/pdf.css")
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


class PdfError(CaseflowError):
    """The PDF could not be rendered; the message is safe to log and to show to staff."""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string or the <style> element around it."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_footer() -> SafeString:
    """The ``content`` of each page's footer: "Page 2 of 5", translated, counters filled in by WeasyPrint."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = css_string(_("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages})
    text = text.replace(marker_page, '" counter(page) "').replace(marker_pages, '" counter(pages) "')
    return mark_safe(text)  # noqa: S308 - built by css_string, which escapes quotes and "<"


def static_files() -> tuple[list[Path], list[Path]]:
    """The stylesheets (a host may override them in its own static files) and the folders they live in,
    which are all the PDF may read."""
    sheets = []
    for name in STYLESHEETS:
        found = finders.find(name)
        if not found or not isinstance(found, str):
            raise PdfError(_("The stylesheet %(name)s was not found in the static files.") % {"name": name})
        sheets.append(Path(found))
    roots = list(dict.fromkeys(path.parent.parent for path in sheets))
    return sheets, roots


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    sheets, roots = static_files()
    try:
        from . import engine
    except OSError as error:
        raise PdfError(
            _("WeasyPrint cannot load its system libraries (%(error)s); install %(packages)s.")
            % {"error": error, "packages": SYSTEM_PACKAGES}
        ) from error
    try:
        html = render_to_string(template, {**context, "for_print": True, "page_footer": page_footer()})
        return engine.write_pdf(html, sheets, roots)
    except Exception as error:
        raise PdfError(
            _("The PDF could not be rendered: %(error)s") % {"error": type(error).__name__}
        ) from error
