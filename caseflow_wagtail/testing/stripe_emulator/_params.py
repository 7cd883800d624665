"""Which parameters each endpoint accepts, read from the TypedDicts that ship with stripe-python.

stripe is imported lazily so the emulator starts fast and the module stays importable on its own.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from functools import cache
from typing import Any

from ._errors import invalid

_IDENT = re.compile(r"\b([A-Z][A-Za-z0-9]*Params[A-Za-z0-9]*)\b")
_lock = threading.Lock()


class _Field:
    __slots__ = ("free_form", "is_list", "schema_names")

    def __init__(self, annotation: Any, module_name: str, own_name: str) -> None:
        text = repr(annotation)
        self.schema_names = _IDENT.findall(text)
        self.is_list = "List[" in text
        # ``Dict[str, str]`` (metadata and similar) accepts keys chosen by the caller.
        self.free_form = "Dict[" in text and not self.schema_names


@cache
def _schema(module_name: str, class_name: str) -> dict[str, _Field] | None:
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if cls is None:
        return None
    from stripe._request_options import RequestOptions

    skip = set(getattr(RequestOptions, "__annotations__", {}))
    fields = {}
    for name, annotation in getattr(cls, "__annotations__", {}).items():
        if name in skip:
            continue
        fields[name] = _Field(annotation, module_name, class_name)
    return fields


@cache
def _resolve(dotted: str) -> tuple[str, str]:
    """``checkout.SessionCreateParams`` → (defining module, class name)."""
    package, _, name = dotted.rpartition(".")
    module = importlib.import_module("stripe.params" + (f".{package}" if package else ""))
    cls = getattr(module, name)
    return cls.__module__, cls.__name__


def validate(dotted: str | None, params: dict[str, Any]) -> None:
    """Raise Stripe's 400 for the first parameter the endpoint does not know."""
    if dotted is None:
        return
    with _lock:
        module_name, class_name = _resolve(dotted)
    _check(module_name, class_name, params, "")


def _check(module_name: str, class_name: str, value: dict[str, Any], prefix: str) -> None:
    schema = _schema(module_name, class_name)
    if schema is None:
        return
    for key, sub in value.items():
        path = f"{prefix}[{key}]" if prefix else key
        field = schema.get(key)
        if field is None:
            raise invalid(f"Received unknown parameter: {path}", param=path)
        if field.free_form or not field.schema_names:
            continue
        items = sub if isinstance(sub, list) else [sub]
        for i, item in enumerate(items):
            if isinstance(item, dict):
                item_path = f"{path}[{i}]" if isinstance(sub, list) else path
                _check_any(module_name, field.schema_names, item, item_path)


def _check_any(module_name: str, names: list[str], value: dict[str, Any], prefix: str) -> None:
    # Some fields accept one of several shapes; the first that knows every key wins.
    error = None
    for name in names:
        try:
            _check(module_name, name, value, prefix)
            return
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error
