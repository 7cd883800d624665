"""Stripe's API over HTTP (``/v1/...``): keys, injected faults, routing, parameter checks and idempotency.

The handler the route table names runs on ``_api.Api`` under the store's lock; this module turns a request
into the bytes of Stripe's answer and logs it.
"""

from __future__ import annotations

import base64
import json
import time
import traceback
from typing import TYPE_CHECKING, Any, Protocol

from . import _params, _routes
from ._core import API_VERSION, ID_PREFIXES, Account, RequestContext, new_id, set_request, snapshot
from ._errors import StripeApiError, invalid, unknown_url
from ._faults import fault_error, take_fault
from ._forms import parse_form

if TYPE_CHECKING:
    from ._api import Api
    from ._state import EmulatorState
    from ._store import Store

IDEMPOTENCY_KEY_LIFETIME = 24 * 3600


class Headers(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...


def internal_error(exc: Exception) -> StripeApiError:
    if isinstance(exc, StripeApiError):
        return exc
    return StripeApiError(500, f"The Stripe emulator failed: {type(exc).__name__}: {exc}", type="api_error")


class TrackedParams(dict):
    """Request parameters that remember which top-level keys a handler looked at.

    Stripe knows parameters the emulator does not act on; those are reported instead of silently dropped.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    # Copying or iterating hands every key on, so all count as read.
    def keys(self) -> Any:
        self.read.update(super().keys())
        return super().keys()

    def items(self) -> Any:
        self.read.update(super().keys())
        return super().items()

    def __iter__(self) -> Any:
        self.read.update(super().keys())
        return super().__iter__()

    def unread(self) -> set[str]:
        return set(super().keys()) - self.read


def answer(
    state: EmulatorState, method: str, path: str, raw_path: str, raw: str, request_headers: Headers
) -> tuple[int, bytes, dict[str, str]]:
    """The answer to one ``/v1`` request (``raw``: its form body or query string), logged before it is sent."""
    request_id = new_id("req_", 14)
    started = time.time()
    idem_key = request_headers.get("Idempotency-Key") if method == "POST" else None
    entry: dict[str, Any] = {
        "id": request_id,
        "method": method,
        "path": path,
        "at": started,
        "idempotency_key": idem_key,
        "params": None,
        "status": None,
        "account": None,
    }
    headers = {
        "Request-Id": request_id,
        "Stripe-Version": request_headers.get("Stripe-Version") or API_VERSION,
    }
    if idem_key:
        headers["Idempotency-Key"] = idem_key
    try:
        params = parse_form(raw)
        entry["params"] = params
        with state.lock:
            fault = take_fault(state.faults, method, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status and not fault.after:
                raise fault_error(fault)
        acct = authenticate(state, request_headers.get("Authorization") or "")
        entry["account"] = acct.secret_key[-4:]
        route = _routes.match(method, path)
        if route is None:
            raise unknown_url(method, path)
        handler_name, params_class, args = route
        _params.validate(params_class, params)
        status, body, extra = execute(
            state,
            acct,
            method,
            raw_path,
            handler_name,
            params,
            args,
            idem_key,
            request_id,
            fail_after=fault_error(fault) if fault and fault.status and fault.after else None,
        )
        headers.update(extra)
        if "Emulator-Ignored-Params" in extra:
            entry["ignored_params"] = extra["Emulator-Ignored-Params"].split(",")
    except StripeApiError as exc:
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, StripeApiError):
            entry["error"] = f"{type(cause).__name__}: {cause}"  # an emulator bug, answered as a 500
        headers.update(exc.headers)
        if "request_log_url" not in exc.extra:
            exc.extra["request_log_url"] = f"{state.base_url}/_emulator/requests/{request_id}"
        status, body = exc.status, json.dumps(exc.body(), indent=2).encode()
    except Exception as exc:
        # A bug here must reach the client as Stripe's 500, not as a dropped connection.
        traceback.print_exc()
        entry["error"] = f"{type(exc).__name__}: {exc}"
        status, body = 500, json.dumps(internal_error(exc).body(), indent=2).encode()
    # Logged before answering, so a client that has its response also finds it in the log.
    entry["status"] = status
    entry["duration_ms"] = round((time.time() - started) * 1000, 2)
    state.requests.add(entry)
    return status, body, headers


def authenticate(state: Store, header: str) -> Account:
    """The account of the request's secret key (``Authorization: Bearer`` or Basic), or Stripe's 401."""
    key = ""
    if header.startswith("Bearer "):
        key = header[7:].strip()
    elif header.startswith("Basic "):
        try:
            key = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except Exception:
            key = ""
    if not key:
        raise StripeApiError(
            401,
            "You did not provide an API key. You need to provide your API key in the Authorization "
            "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
            "https://stripe.com/docs/api#authentication for details, or we can help at "
            "https://support.stripe.com/.",
        )
    masked = f"{key[:8]}{'*' * max(0, len(key) - 12)}{key[-4:]}"
    if key.startswith("pk_"):
        raise StripeApiError(
            401,
            "This API call cannot be made with a publishable API key. Please use a "
            "secret API key. You can find a list of your API keys at "
            "https://dashboard.stripe.com/account/apikeys.",
        )
    if key.startswith(("sk_live_", "rk_live_")):
        raise StripeApiError(
            401,
            f"Invalid API Key provided: {masked}. The Stripe emulator only accepts "
            "test mode keys (sk_test_…).",
        )
    if not key.startswith(("sk_test_", "rk_test_")) or len(key) < 12:
        raise StripeApiError(401, f"Invalid API Key provided: {masked}")
    return state.account(key)


def execute(
    state: EmulatorState,
    acct: Account,
    method: str,
    raw_path: str,
    handler_name: str,
    params: dict[str, Any],
    args: dict[str, str],
    idem_key: str | None,
    request_id: str,
    fail_after: StripeApiError | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    """Run the handler under the lock: idempotent replays, ``expand[]``, and what Stripe keeps of it."""
    fingerprint = json.dumps([method, raw_path, params], sort_keys=True)
    with state.lock:
        if idem_key:
            stored = acct.idempotency.get(idem_key)
            # Stripe prunes keys once they are at least 24 hours old; the key is then new again.
            if stored is not None and state.now() - stored["at"] >= IDEMPOTENCY_KEY_LIFETIME:
                del acct.idempotency[idem_key]
                stored = None
            if stored is not None:
                if stored["fingerprint"] != fingerprint:
                    raise StripeApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they "
                        f"were first used with. Try using a key other than '{idem_key}' if you meant to "
                        "execute a different request.",
                        type="idempotency_error",
                    )
                return (
                    stored["status"],
                    stored["body"],
                    {"Idempotent-Replayed": "true", "Original-Request": stored["request_id"]},
                )
        set_request(RequestContext(request_id, idem_key))
        try:
            if handler_name.startswith("search:"):
                object_type = handler_name.split(":", 1)[1]

                def handler(acct: Account, params: dict[str, Any]) -> dict[str, Any]:
                    return state.api.search(acct, params, object_type, raw_path)

            else:
                handler = getattr(state.api, handler_name)
            tracked = TrackedParams(params)
            try:
                result = handler(acct, tracked, **args)
                response = snapshot(result)
                for path in params.get("expand") or []:
                    if not isinstance(path, str):
                        raise invalid("Invalid array", param="expand")
                    expand(state.api, acct, response, path.split("."))
                if fail_after is not None:
                    raise fail_after
                status, body = 200, json.dumps(response, indent=2).encode()
            except Exception as exc:
                if not isinstance(exc, StripeApiError):
                    traceback.print_exc()  # an emulator bug: answered as Stripe's 500, and shown
                error = internal_error(exc)
                # Stripe keeps the outcome of any request that began executing (declines, 400s
                # and 500s alike); only parameters refused before execution leave no result.
                if idem_key and not (error.code or "").startswith("parameter_"):
                    error.extra.setdefault(
                        "request_log_url", f"{state.base_url}/_emulator/requests/{request_id}"
                    )
                    keep(state, acct, idem_key, fingerprint, error.status, error.body(), request_id)
                if error is exc:
                    raise
                raise error from exc
            if idem_key:
                keep(state, acct, idem_key, fingerprint, status, body, request_id)
            ignored = sorted(tracked.unread() - {"expand"})
            return status, body, {"Emulator-Ignored-Params": ",".join(ignored)} if ignored else {}
        finally:
            set_request(None)


def keep(
    state: Store,
    acct: Account,
    idem_key: str,
    fingerprint: str,
    status: int,
    body: bytes | dict[str, Any],
    request_id: str,
) -> None:
    acct.idempotency[idem_key] = {
        "fingerprint": fingerprint,
        "status": status,
        "body": body if isinstance(body, bytes) else json.dumps(body, indent=2).encode(),
        "request_id": request_id,
        "at": state.now(),
    }


def expand(api: Api, acct: Account, value: Any, parts: list[str]) -> None:
    """Replace ids (and fields only ``expand[]`` brings) along ``parts`` with their objects."""
    if not parts or not isinstance(value, dict):
        return
    if value.get("object") == "list" and parts[0] == "data":
        for item in value["data"]:
            expand(api, acct, item, parts[1:])
        return
    key = parts[0]
    if key not in value:
        value[key] = snapshot(api.virtual_field(acct, value, key))
    elif isinstance(value[key], str) and value[key].startswith(ID_PREFIXES):
        target = acct.objects.get(value[key])
        if target is not None:
            value[key] = snapshot(target)
    elif value[key] is not None and not isinstance(value[key], dict | list):
        raise invalid(f"This property cannot be expanded ({key}).", param="expand")
    expand(api, acct, value[key], parts[1:])
