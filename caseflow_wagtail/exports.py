"""Spreadsheet exports that are safe to open.

A payment reference or note comes from outside the firm (a client's bank, a webhook), and a spreadsheet
program runs any cell that starts like a formula. Every exported text cell that could be read as one gets
a leading apostrophe, which the spreadsheet shows as plain text.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # What the mixin is mixed into, so that its super() call checks.
    from wagtail.admin.views.mixins import SpreadsheetExportMixin as _ExportView
else:
    _ExportView = object

# "=", "+", "-" and "@" start formulas. Spreadsheet programs skip leading whitespace and line breaks
# before parsing, and read full-width forms (U+FF1D for "=", U+FF0B for "+", …) as the ASCII ones, so both are looked past.
FORMULA_STARTS = ("=", "+", "-", "@")
# A tab, carriage return or line break at the start can hide a formula from a quick look.
HIDING_STARTS = ("\t", "\r", "\n")


def neutralise_formula(value: Any) -> Any:
    """Return text that no spreadsheet will evaluate; other values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    significant = unicodedata.normalize("NFKC", value.lstrip()[:1])
    if value.startswith(HIDING_STARTS) or significant.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class FormulaSafeExportMixin(_ExportView):
    """For a Wagtail listing view with ``list_export``: neutralise formulas in every exported text cell."""

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
