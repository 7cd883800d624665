"""Spreadsheet exports that are safe to open.

A payment reference or note comes from outside the firm (a client's bank, a webhook), and a spreadsheet
program runs any cell that starts like a formula. Every exported text cell that could be read as one gets
a leading apostrophe, which the spreadsheet shows as plain text.
"""

from __future__ import annotations

from typing import Any

# "=", "+", "-" and "@" start formulas; a tab or carriage return can hide one from a quick look and
# some programs strip them before parsing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Return text that no spreadsheet will evaluate; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For a Wagtail listing view with ``list_export``: neutralise formulas in every exported text cell."""

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
