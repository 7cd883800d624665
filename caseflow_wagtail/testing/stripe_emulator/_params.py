"""Which parameters each endpoint accepts, read from the TypedDicts that ship with stripe-python.

stripe is imported lazily so the emulator starts fast and the module stays importable on its own.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
import typing
from functools import cache
from typing import Any, Literal

from ._errors import invalid

_IDENT = re.compile(r"\b([A-Z][A-Za-z0-9]*Params[A-Za-z0-9]*)\b")
_lock = threading.Lock()


def _choices(annotation: Any) -> frozenset[str] | None:
    """The allowed strings when a field is an enum (only ``Literal`` leaves), else None."""
    values: set[str] = set()

    def walk(node: Any) -> bool:
        if typing.get_origin(node) is Literal:
            values.update(str(v) for v in typing.get_args(node))
            return True
        args = typing.get_args(node)
        if typing.get_origin(node) is not None and args:
            return all(walk(a) for a in args)
        return False

    return frozenset(values) if walk(annotation) and values else None


_SCALARS = {int: "int", bool: "bool", str: "str", float: "decimal"}


def _scalar(annotation: Any) -> str | None:
    """``int`` or ``bool`` when that is the only value type a field takes (``""`` to unset aside)."""
    kinds: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, typing.ForwardRef):
            for token in node.__forward_arg__.split("|"):
                token = token.strip()
                if not token.startswith("Literal['']"):
                    kinds.add(token if token in ("int", "bool", "str", "float") else "other")
            return
        if node in _SCALARS:
            kinds.add(_SCALARS[node].replace("decimal", "float"))
            return
        origin = typing.get_origin(node)
        if origin is Literal:
            if typing.get_args(node) != ("",):
                kinds.add("other")
            return
        args = typing.get_args(node)
        if origin is not None and args and origin in (typing.Union, typing.NotRequired, typing.Required):
            for arg in args:
                if arg is not type(None):
                    walk(arg)
            return
        kinds.add("other")

    walk(annotation)
    return kinds.pop() if len(kinds) == 1 and kinds <= {"int", "bool"} else None


class _Field:
    __slots__ = ("choices", "free_form", "is_list", "scalar", "schema_names")

    def __init__(self, annotation: Any, module_name: str, own_name: str) -> None:
        text = repr(annotation)
        self.schema_names = _IDENT.findall(text)
        self.is_list = "List[" in text
        # ``Dict[str, str]`` (metadata and similar) accepts keys chosen by the caller.
        self.free_form = "Dict[" in text and not self.schema_names
        self.choices = None if self.schema_names else _choices(annotation)
        self.scalar = None if self.schema_names or self.is_list else _scalar(annotation)


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
    try:
        with _lock:
            module_name, class_name = _resolve(dotted)
    except (ImportError, AttributeError):
        # Without stripe-python (or with one that lacks this class) parameters go unchecked.
        return
    _check(module_name, class_name, params, "")


def _check(module_name: str, class_name: str, value: dict[str, Any], prefix: str) -> None:
    schema = _schema(module_name, class_name)
    if schema is None:
        return
    for key, sub in value.items():
        path = f"{prefix}[{key}]" if prefix else key
        field = schema.get(key)
        if field is None:
            raise invalid(f"Received unknown parameter: {path}", param=path, code="parameter_unknown")
        if field.choices is not None:
            _check_choice(field.choices, sub, path)
        if field.scalar is not None and sub != "":
            _check_scalar(field.scalar, sub, path)
        if field.free_form or not field.schema_names:
            continue
        items = sub if isinstance(sub, list) else [sub]
        for i, item in enumerate(items):
            if isinstance(item, dict):
                item_path = f"{path}[{i}]" if isinstance(sub, list) else path
                _check_any(module_name, field.schema_names, item, item_path)


_INTEGER = re.compile(r"-?[0-9]+")


def _check_scalar(kind: str, value: Any, path: str) -> None:
    # Form encoding sends every value as text; Stripe refuses text that is not of the field's type
    # rather than coercing it ("10.5" is no integer, "yes" no boolean).
    if kind == "int" and not (isinstance(value, str) and _INTEGER.fullmatch(value)):
        raise invalid(f"Invalid integer: {value}", param=path, code="parameter_invalid_integer")
    if kind == "bool" and value not in ("true", "false"):
        raise invalid(f"Invalid boolean: {value}", param=path)


def _check_choice(choices: frozenset[str], value: Any, path: str) -> None:
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        # An empty string unsets a field in Stripe's form encoding.
        if isinstance(item, str) and item and item not in choices:
            where = f"{path}[{i}]" if isinstance(value, list) else path
            listed = sorted(c for c in choices if c)
            shown = ", ".join(listed[:-1]) + f" or {listed[-1]}" if len(listed) > 1 else listed[0]
            if len(listed) > 20:
                shown = ", ".join(listed[:20]) + ", …"
            raise invalid(f"Invalid {where}: must be one of {shown}", param=where)


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
