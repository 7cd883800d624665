"""Stripe's form encoding: ``a[b][0][c]=x``, ``expand[]=y`` and friends, decoded into nested values."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from ._errors import invalid

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")

# Dicts under these keys hold user data, so digit-looking keys must stay keys.
_FREE_FORM = {"metadata"}


def _split(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    rest = "[" + rest
    segments = _SEGMENT.findall(rest)
    if "".join(f"[{s}]" for s in segments) != rest:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    return [head, *segments]


def parse_form(body: str) -> dict[str, Any]:
    """Decode a form body or query string into nested dicts and lists of strings."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        segments = _split(key)
        node: Any = root
        for i, segment in enumerate(segments):
            last = i == len(segments) - 1
            if segment == "":
                # ``a[]`` appends; a following segment opens a new element.
                if not isinstance(node, _Appendable):
                    raise invalid(f"Invalid array parameter: {key}", param=key)
                if last:
                    node.append(value)
                    break
                node.append({})
                node = node[-1]
                continue
            nxt = segments[i + 1] if not last else None
            if last:
                node[segment] = value
            else:
                if segment not in node or not isinstance(node[segment], dict | _Appendable):
                    node[segment] = _Appendable() if nxt == "" else {}
                node = node[segment]
    return _listify(root, None)


class _Appendable(list):
    """A list built from ``[]`` segments (kept distinct so dict-only paths can reject it)."""

    def __setitem__(self, key: Any, value: Any) -> None:  # pragma: no cover - misuse guard
        raise TypeError("indexed write to an append-only list")

    def __contains__(self, key: object) -> bool:
        return False


def _listify(value: Any, parent_key: str | None) -> Any:
    if isinstance(value, list):
        return [_listify(v, None) for v in value]
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v, k) for k, v in value.items()}
    if parent_key not in _FREE_FORM and converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _encode(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _encode(f"{prefix}[{k}]" if prefix else str(k), v, out)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _encode(f"{prefix}[{i}]", v, out)
    elif isinstance(value, bool):
        out.append((prefix, "true" if value else "false"))
    elif value is not None:
        out.append((prefix, str(value)))


def encode_form(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Encode nested params the way Stripe's clients do (used by the hosted pages and tests)."""
    out: list[tuple[str, str]] = []
    _encode("", params, out)
    return out
