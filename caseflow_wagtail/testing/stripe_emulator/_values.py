"""Reading typed values out of decoded form parameters, with Stripe's error for each mistake."""

from __future__ import annotations

from typing import Any

from ._errors import invalid, missing_param

_MISSING = object()


def get_str(
    params: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    default: Any = None,
    choices: tuple[str, ...] | None = None,
    name: str | None = None,
) -> Any:
    name = name or key
    value = params.get(key, _MISSING)
    if value is _MISSING or (value == "" and required):
        if required:
            raise missing_param(name)
        return default
    if not isinstance(value, str):
        raise invalid(f"Invalid string: {value!r}", param=name)
    if choices and value not in choices:
        raise invalid(f"Invalid {key}: must be one of {', '.join(choices)}", param=name)
    return value


def get_int(
    params: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    default: Any = None,
    minimum: int | None = None,
    maximum: int | None = None,
    name: str | None = None,
) -> Any:
    name = name or key
    value = params.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise missing_param(name)
        return default
    try:
        number = int(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None:
        raise invalid(f"Invalid integer: {value}", param=name)
    if minimum is not None and number < minimum:
        raise invalid(f"This value must be greater than or equal to {minimum}.", param=name)
    if maximum is not None and number > maximum:
        raise invalid(f"This value must be less than or equal to {maximum}.", param=name)
    return number


def get_bool(params: dict[str, Any], key: str, *, default: Any = None, name: str | None = None) -> Any:
    value = params.get(key, _MISSING)
    if value is _MISSING:
        return default
    if value in ("true", True):
        return True
    if value in ("false", False):
        return False
    raise invalid(f"Invalid boolean: {value}", param=name or key)


def get_dict(params: dict[str, Any], key: str, *, required: bool = False, name: str | None = None) -> Any:
    value = params.get(key, _MISSING)
    if value is _MISSING or value == "":
        if required:
            raise missing_param(name or key)
        return {} if value == "" else None
    if not isinstance(value, dict):
        raise invalid("Invalid object", param=name or key)
    return value


def get_list(params: dict[str, Any], key: str, *, required: bool = False, name: str | None = None) -> Any:
    value = params.get(key, _MISSING)
    if value is _MISSING or value == "":
        if required:
            raise missing_param(name or key)
        return [] if value == "" else None
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        raise invalid("Invalid array", param=name or key)
    return value


def get_metadata(params: dict[str, Any], key: str = "metadata") -> dict[str, str] | None:
    value = params.get(key, _MISSING)
    if value is _MISSING:
        return None
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid("Invalid object", param=key)
    if len(value) > 50:
        raise invalid("You can specify up to 50 metadata keys.", param=key)
    for k, v in value.items():
        if not isinstance(v, str):
            raise invalid("Metadata values must be strings.", param=f"{key}[{k}]")
        if len(k) > 40:
            raise invalid("Metadata keys can be at most 40 characters.", param=f"{key}[{k}]")
        if len(v) > 500:
            raise invalid("Metadata values can be at most 500 characters.", param=f"{key}[{k}]")
    return dict(value)


def merge_metadata(current: dict[str, str], update: dict[str, str] | None) -> dict[str, str]:
    """Stripe's update semantics: keys merge, an empty value deletes the key, ``metadata=`` clears."""
    if update is None:
        return current
    if update == {}:
        return {}
    merged = dict(current)
    for k, v in update.items():
        if v == "":
            merged.pop(k, None)
        else:
            merged[k] = v
    return merged


def created_filter(params: dict[str, Any], key: str = "created") -> Any:
    """A predicate for ``created=…`` or ``created[gt|gte|lt|lte]=…``."""
    value = params.get(key)
    if value is None:
        return lambda _ts: True
    if isinstance(value, str):
        exact = get_int(params, key)
        return lambda ts: ts == exact
    if not isinstance(value, dict):
        raise invalid("Invalid object", param=key)
    bounds = {op: get_int(value, op, name=f"{key}[{op}]") for op in value}
    for op in bounds:
        if op not in ("gt", "gte", "lt", "lte"):
            raise invalid(f"Received unknown parameter: {key}[{op}]", param=f"{key}[{op}]")

    def check(ts: int) -> bool:
        return (
            ("gt" not in bounds or ts > bounds["gt"])
            and ("gte" not in bounds or ts >= bounds["gte"])
            and ("lt" not in bounds or ts < bounds["lt"])
            and ("lte" not in bounds or ts <= bounds["lte"])
        )

    return check
