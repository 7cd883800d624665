"""A useful subset of Stripe's search query language (``/v1/<resource>/search?query=…``).

Supported: ``field:'value'``, ``metadata['key']:'value'``, ``field~'substring'``, ``-field:'value'``,
numeric ``field>…``, ``>=``, ``<``, ``<=``, and clauses joined all by ``AND`` or all by ``OR``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ._errors import invalid

_CLAUSE = re.compile(
    r"""\s*(?P<neg>-)?(?P<field>[a-z_][a-z0-9_.]*(?:\[(?P<q1>['"])(?P<key>[^'"]+)(?P=q1)\])?)
        \s*(?P<op>:|~|>=|<=|>|<)\s*
        (?:(?P<q2>['"])(?P<text>.*?)(?P=q2)|(?P<bare>[A-Za-z0-9_.-]+))\s*""",
    re.VERBOSE,
)


def _value(obj: dict[str, Any], field: str, key: str | None) -> Any:
    if key is not None:
        return (obj.get(field.split("[", 1)[0]) or {}).get(key)
    value: Any = obj
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _clause(match: re.Match[str]) -> Callable[[dict[str, Any]], bool]:
    field, key, op = match["field"], match["key"], match["op"]
    wanted = match["text"] if match["text"] is not None else match["bare"]
    negate = bool(match["neg"])

    def test(obj: dict[str, Any]) -> bool:
        value = _value(obj, field, key)
        if op == ":":
            if wanted == "null" and match["bare"] is not None:
                result = value is None
            else:
                result = value is not None and str(value).lower() == wanted.lower()
        elif op == "~":
            result = value is not None and wanted.lower() in str(value).lower()
        else:
            try:
                number, limit = float(value), float(wanted)
            except (TypeError, ValueError):
                return False
            result = {">": number > limit, "<": number < limit, ">=": number >= limit, "<=": number <= limit}[
                op
            ]
        return result != negate

    return test


def compile_query(query: str) -> Callable[[dict[str, Any]], bool]:
    if not query or not query.strip():
        raise invalid("The query is empty.", param="query")
    has_and = re.search(r"\sAND\s", query) is not None
    has_or = re.search(r"\sOR\s", query) is not None
    if has_and and has_or:
        raise invalid("A search query cannot mix AND and OR.", param="query")
    parts = re.split(r"\s(?:AND|OR)\s", query)
    tests = []
    for part in parts:
        match = _CLAUSE.fullmatch(part)
        if match is None:
            raise invalid(f"Could not parse the search query near: {part.strip()!r}", param="query")
        if match["op"] == "~" and len(match["text"] or match["bare"] or "") < 3:
            raise invalid("A substring search (~) needs at least 3 characters.", param="query")
        tests.append(_clause(match))
    if has_or:
        return lambda obj: any(t(obj) for t in tests)
    return lambda obj: all(t(obj) for t in tests)
