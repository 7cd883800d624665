"""The HTTP server: Stripe's API under /v1, hosted pages, and the control API under /_emulator/."""

from __future__ import annotations

import base64
import ipaddress
import json
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import _hosted_invoice, _pages, _params, _routes, _versions
from ._api import Api
from ._capture import Settlement
from ._core import (
    API_VERSION,
    ID_PREFIXES,
    Account,
    RequestContext,
    RequestLog,
    new_id,
    new_key_pair,
    publishable_key_for,
    set_request,
    snapshot,
)
from ._errors import StripeApiError, invalid, unknown_url
from ._forms import parse_form
from ._webhooks import WebhookDispatcher, active_secrets, encode_event


def ensure_loopback(host: str) -> None:
    """Refuse to listen anywhere but this machine: the emulator has no real security."""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(
        f"The Stripe emulator only binds loopback addresses (127.0.0.1, ::1, localhost), not {host!r}."
    )


IDEMPOTENCY_KEY_LIFETIME = 24 * 3600


def _internal_error(exc: Exception) -> StripeApiError:
    if isinstance(exc, StripeApiError):
        return exc
    return StripeApiError(500, f"The Stripe emulator failed: {type(exc).__name__}: {exc}", type="api_error")


class ApiFault:
    """An injected failure: the next ``count`` matching requests get ``status`` (or only a delay)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.path = spec.get("path") or "/v1/"
        self.method = (spec.get("method") or "").upper() or None
        self.status = int(spec["status"]) if spec.get("status") else None
        self.count = int(spec.get("count", 1))
        self.delay = float(spec.get("delay", 0))
        # "after": the request executes (objects change, events go out) and then fails, as a Stripe 500
        # mid-request does; with an idempotency key that failure is what a retry gets back.
        self.after = bool(spec.get("after", False))
        self.spec = {**spec, "path": self.path}

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0 or (self.method and self.method != method):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path or (self.path.endswith("/") and path.startswith(self.path))


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


class EmulatorState:
    def __init__(self, secret_key: str | None = None, publishable_key: str | None = None) -> None:
        generated = new_key_pair()
        self.secret_key = secret_key or generated[0]
        self.publishable_key = publishable_key or (
            publishable_key_for(self.secret_key) if secret_key else generated[1]
        )
        self.base_url = ""
        # The default API version of accounts created from now on (Stripe's per-account setting).
        self.account_api_version = API_VERSION
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.pages: dict[str, Account] = {}
        self.requests = RequestLog()
        self.faults: list[ApiFault] = []
        self.merchant_name = "Caseflow Test Firm"
        # Seconds the emulator's own clock runs ahead of the machine's (the control API's "travel").
        self.clock_offset = 0.0
        # Off by default, as Stripe: webhook endpoints on loopback or private addresses are refused.
        self.allow_local_webhooks = False
        self.api = Api(self)
        self.dispatcher = WebhookDispatcher(self._load_delivery, self._delivered)
        # Asynchronous capture (see _capture.py): "async" (Stripe's default) or "sync", and how many
        # seconds a charge waits for its balance transaction (None: until settled through the control API).
        self.capture_mode = "async"
        self.settle_delay: float | None = 2.0
        self.capture_defaults: tuple[str, float | None] = (self.capture_mode, self.settle_delay)
        # Each charge settles in its own currency until configured otherwise (see _capture.py).
        self.settlement = Settlement()

    def now(self) -> float:
        return time.time() + self.clock_offset

    # -- accounts ------------------------------------------------------------------------------

    def account(self, secret_key: str) -> Account:
        with self.lock:
            acct = self.accounts.get(secret_key)
            if acct is None:
                acct = self.accounts[secret_key] = Account(
                    secret_key, merchant_name=self.merchant_name, api_version=self.account_api_version
                )
            return acct

    def register_page(self, oid: str, acct: Account) -> None:
        self.pages[oid] = acct

    def owner(self, oid: str) -> Account | None:
        with self.lock:
            for acct in self.accounts.values():
                if oid in acct.objects:
                    return acct
        return None

    def expire_sessions(self) -> None:
        """Expire open Checkout sessions whose time has come, as Stripe does without being asked."""
        with self.lock:
            for acct in self.accounts.values():
                for session in acct.all("checkout.session"):
                    if session["status"] == "open":
                        set_request(None)
                        self.api._refresh_session(acct, session)

    def reset(self) -> None:
        with self.lock:
            self.accounts.clear()
            self.account_api_version = API_VERSION
            self.pages.clear()
            self.faults.clear()
            self.requests.clear()
            self.clock_offset = 0.0
            self.dispatcher.reset()
            self.capture_mode, self.settle_delay = self.capture_defaults
            self.settlement = Settlement()

    # -- webhook callbacks ---------------------------------------------------------------------

    def _load_delivery(self, delivery: dict[str, Any]) -> tuple[bytes, str, str] | None:
        with self.lock:
            acct = self.accounts.get(delivery["account"])
            if acct is None:
                return None
            event = acct.objects.get(delivery["event"])
            endpoint = acct.objects.get(delivery["endpoint"])
            # Stripe sends nothing more to a disabled endpoint, retries included.
            if event is None or endpoint is None or endpoint["status"] != "enabled":
                return None
            return (
                # An endpoint gets its own API version's rendering; without one, the event's (the account's).
                encode_event(
                    _versions.render_event(acct, event, endpoint["api_version"]), endpoint["api_version"]
                ),
                endpoint["url"],
                active_secrets(acct.priv(endpoint["id"])),
            )

    def _delivered(self, delivery: dict[str, Any]) -> None:
        with self.lock:
            acct = self.accounts.get(delivery["account"])
            event = acct.objects.get(delivery["event"]) if acct else None
            if event is not None and event["pending_webhooks"] > 0:
                event["pending_webhooks"] -= 1

    # -- expansion -----------------------------------------------------------------------------

    def expand(self, acct: Account, value: Any, parts: list[str]) -> None:
        if not parts or not isinstance(value, dict):
            return
        if value.get("object") == "list" and parts[0] == "data":
            for item in value["data"]:
                self.expand(acct, item, parts[1:])
            return
        key = parts[0]
        if key not in value:
            value[key] = snapshot(self.api.virtual_field(acct, value, key))
        elif isinstance(value[key], str) and value[key].startswith(ID_PREFIXES):
            target = acct.objects.get(value[key])
            if target is not None:
                value[key] = snapshot(target)
        elif value[key] is not None and not isinstance(value[key], dict | list):
            raise invalid(f"This property cannot be expanded ({key}).", param="expand")
        self.expand(acct, value[key], parts[1:])


class Handler(BaseHTTPRequestHandler):
    server: EmulatorHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; without this, delayed ACKs stall keep-alive clients.
    disable_nagle_algorithm = True
    server_version = "CaseflowStripeEmulator/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def state(self) -> EmulatorState:
        return self.server.state

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, indent=2).encode(), "application/json", headers)

    def _html(self, status: int, html: str) -> None:
        self._send(
            status,
            html.encode(),
            "text/html; charset=utf-8",
            {"Content-Security-Policy": "default-src 'self'; form-action *; frame-ancestors 'none'"},
        )

    def _redirect(self, url: str) -> None:
        self._send(303, b"", "text/plain", {"Location": url})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        try:
            if path.startswith("/v1/"):
                self._api(method, path, split.query)
            elif path.startswith("/_emulator"):
                self._control(method, path, split.query)
            elif path.startswith(
                ("/checkout/", "/billing_portal/", "/authenticate/", _hosted_invoice.PREFIX)
            ):
                self._hosted(method, path)
            elif path == "/":
                self._json(200, {"emulator": "caseflow-wagtail Stripe emulator", "api_version": API_VERSION})
            else:
                self._html(404, _pages.message_page("Not found", "There is nothing at this address."))
        except BrokenPipeError:
            pass

    # -- Stripe API ----------------------------------------------------------------------------

    def _api(self, method: str, path: str, query: str) -> None:
        request_id = new_id("req_", 14)
        started = time.time()
        raw = self._body().decode() if method == "POST" else query
        idem_key = self.headers.get("Idempotency-Key") if method == "POST" else None
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
            "Stripe-Version": self.headers.get("Stripe-Version") or API_VERSION,
        }
        if idem_key:
            headers["Idempotency-Key"] = idem_key
        try:
            params = parse_form(raw)
            entry["params"] = params
            fault = self._take_fault(method, path)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.status and not fault.after:
                    raise self._fault_error(fault)
            acct = self._authenticate()
            entry["account"] = acct.secret_key[-4:]
            route = _routes.match(method, path)
            if route is None:
                raise unknown_url(method, path)
            handler_name, params_class, args = route
            _params.validate(params_class, params)
            status, body, extra = self._execute(
                acct,
                handler_name,
                params,
                args,
                idem_key,
                request_id,
                fail_after=self._fault_error(fault) if fault and fault.status and fault.after else None,
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
                exc.extra["request_log_url"] = f"{self.state.base_url}/_emulator/requests/{request_id}"
            status, body = exc.status, json.dumps(exc.body(), indent=2).encode()
        except Exception as exc:
            # A bug here must reach the client as Stripe's 500, not as a dropped connection.
            traceback.print_exc()
            entry["error"] = f"{type(exc).__name__}: {exc}"
            status, body = 500, json.dumps(_internal_error(exc).body(), indent=2).encode()
        # Logged before answering, so a client that has its response also finds it in the log.
        entry["status"] = status
        entry["duration_ms"] = round((time.time() - started) * 1000, 2)
        self.state.requests.add(entry)
        self._send(status, body, "application/json", headers)

    def _take_fault(self, method: str, path: str) -> ApiFault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None

    @staticmethod
    def _fault_error(fault: ApiFault) -> StripeApiError:
        if fault.status == 429:
            return StripeApiError(
                429,
                "Too many requests hit the API too quickly. We recommend an exponential "
                "backoff of your requests.",
                type="invalid_request_error",
                code="rate_limit",
            )
        if fault.status == 409:
            return StripeApiError(
                409,
                "There is currently another in-progress request using this Stripe API key.",
                type="idempotency_error",
                code="lock_timeout",
            )
        return StripeApiError(
            fault.status or 500, "An unknown error occurred (injected by the emulator).", type="api_error"
        )

    def _authenticate(self) -> Account:
        header = self.headers.get("Authorization") or ""
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
        return self.state.account(key)

    def _execute(
        self,
        acct: Account,
        handler_name: str,
        params: dict[str, Any],
        args: dict[str, str],
        idem_key: str | None,
        request_id: str,
        fail_after: StripeApiError | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        state = self.state
        fingerprint = json.dumps([self.command, self.path.split("?")[0], params], sort_keys=True)
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
                        return state.api.search(acct, params, object_type, self.path.split("?")[0])

                else:
                    handler = getattr(state.api, handler_name)
                tracked = TrackedParams(params)
                try:
                    result = handler(acct, tracked, **args)
                    response = snapshot(result)
                    for path in params.get("expand") or []:
                        if not isinstance(path, str):
                            raise invalid("Invalid array", param="expand")
                        state.expand(acct, response, path.split("."))
                    if fail_after is not None:
                        raise fail_after
                    status, body = 200, json.dumps(response, indent=2).encode()
                except Exception as exc:
                    if not isinstance(exc, StripeApiError):
                        traceback.print_exc()  # an emulator bug: answered as Stripe's 500, and shown
                    error = _internal_error(exc)
                    # Stripe keeps the outcome of any request that began executing (declines, 400s
                    # and 500s alike); only parameters refused before execution leave no result.
                    if idem_key and not (error.code or "").startswith("parameter_"):
                        error.extra.setdefault(
                            "request_log_url", f"{state.base_url}/_emulator/requests/{request_id}"
                        )
                        self._keep(acct, idem_key, fingerprint, error.status, error.body(), request_id)
                    if error is exc:
                        raise
                    raise error from exc
                if idem_key:
                    self._keep(acct, idem_key, fingerprint, status, body, request_id)
                ignored = sorted(tracked.unread() - {"expand"})
                return status, body, {"Emulator-Ignored-Params": ",".join(ignored)} if ignored else {}
            finally:
                set_request(None)

    def _keep(
        self,
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
            "at": self.state.now(),
        }

    # -- hosted pages --------------------------------------------------------------------------

    def _form(self) -> dict[str, str]:
        fields = parse_qs(self._body().decode(), keep_blank_values=True)
        return {k: v[-1] for k, v in fields.items()}

    def _hosted(self, method: str, path: str) -> None:
        parts = path.strip("/").split("/")
        oid = parts[1] if len(parts) > 1 else ""
        state = self.state
        acct = state.pages.get(oid) or state.owner(oid)
        if acct is None:
            self._html(404, _pages.message_page("Not found", "This page does not exist or has been reset."))
            return
        form = _pages.parse_expiry(self._form()) if method == "POST" else {}
        try:
            with state.lock:
                set_request(None)
                if parts[0] == "checkout":
                    self._checkout(acct, oid, parts[2:], method, form)
                elif parts[0] == "billing_portal":
                    self._portal(acct, oid, method, form)
                elif parts[0] == "invoice":
                    _hosted_invoice.handle(self, acct, oid, parts[2:], method, form)
                else:
                    self._pi_authenticate(acct, oid, method, form)
        except StripeApiError as exc:
            self._html(exc.status, _pages.message_page("Payment problem", exc.message))
        except Exception as exc:
            traceback.print_exc()
            self._html(500, _pages.message_page("Emulator error", f"{type(exc).__name__}: {exc}"))

    def _checkout(self, acct: Account, oid: str, rest: list[str], method: str, form: dict[str, str]) -> None:
        api = self.state.api
        session = acct.find("checkout.session", oid)
        if session is None:
            self._html(404, _pages.message_page("Not found", "This Checkout Session does not exist."))
            return
        api._refresh_session(acct, session)
        merchant = acct.merchant_name
        if session["status"] == "expired":
            link = (session["cancel_url"], f"Return to {merchant}") if session["cancel_url"] else None
            self._html(
                410, _pages.message_page("Session expired", "This checkout session has expired.", link)
            )
            return
        if session["status"] == "complete":
            self._html(
                200,
                _pages.message_page(
                    "Payment complete",
                    "This checkout session is already complete.",
                    (
                        session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]),
                        f"Return to {merchant}",
                    ),
                ),
            )
            return
        items = acct.priv(oid)["line_items"]
        trial_days = acct.priv(oid)["sub_data"].get("trial_period_days")
        if rest == ["authenticate"]:
            action = f"/checkout/{oid}/authenticate"
            if method == "GET":
                self._html(
                    200,
                    _pages.authenticate_page(
                        action, merchant, _pages.format_amount(session["amount_total"], session["currency"])
                    ),
                )
                return
            outcome, target = api.checkout_authenticate(acct, session, form.get("outcome") == "complete")
        elif rest:
            self._html(404, _pages.message_page("Not found", "There is nothing at this address."))
            return
        elif method == "GET":
            self._html(200, _pages.checkout_page(session, items, merchant, trial_days=trial_days))
            return
        else:
            outcome, target = api.checkout_pay(acct, session, form)
        if outcome in ("redirect", "authenticate"):
            self._redirect(target)
            return
        kept = {k: form.get(k, "") for k in ("email", "name")}
        self._html(
            402,
            _pages.checkout_page(session, items, merchant, error=target, values=kept, trial_days=trial_days),
        )

    def _portal(self, acct: Account, oid: str, method: str, form: dict[str, str]) -> None:
        session = acct.find("billing_portal.session", oid)
        if session is None:
            self._html(404, _pages.message_page("Not found", "This portal session does not exist."))
            return
        error = notice = None
        if method == "POST":
            outcome, text = self.state.api.portal_update_card(acct, session, form)
            if outcome == "redirect":
                self._redirect(text)
                return
            error, notice = (text, None) if outcome == "error" else (None, text)
        customer = acct.objects[session["customer"]]
        pm_id = customer["invoice_settings"]["default_payment_method"]
        card = acct.objects[pm_id]["card"] if pm_id in acct.objects else None
        subs = [s for s in acct.all("subscription") if s["customer"] == customer["id"]]
        self._html(
            200 if not error else 402,
            _pages.portal_page(session, customer, card, subs, acct.merchant_name, error, notice),
        )

    def _pi_authenticate(self, acct: Account, oid: str, method: str, form: dict[str, str]) -> None:
        pi = acct.find("payment_intent", oid)
        if pi is None:
            self._html(404, _pages.message_page("Not found", "This payment does not exist."))
            return
        if method == "GET":
            if pi["status"] != "requires_action":
                self._html(
                    200,
                    _pages.message_page(
                        "Nothing to authenticate", f"This payment is {pi['status'].replace('_', ' ')}."
                    ),
                )
                return
            self._html(
                200,
                _pages.authenticate_page(
                    f"/authenticate/{oid}",
                    acct.merchant_name,
                    _pages.format_amount(pi["amount"], pi["currency"]),
                ),
            )
            return
        status = self.state.api.authenticate(acct, pi, form.get("outcome") == "complete")
        return_url = acct.priv(oid).get("return_url")
        if return_url:
            sep = "&" if "?" in return_url else "?"
            redirect_status = "succeeded" if status == "succeeded" else "failed"
            self._redirect(
                f"{return_url}{sep}payment_intent={oid}&payment_intent_client_secret="
                f"{pi['client_secret']}&redirect_status={redirect_status}"
            )
            return
        self._html(200, _pages.message_page("Authentication finished", f"This payment is {status}."))

    # -- control API ---------------------------------------------------------------------------

    def _control(self, method: str, path: str, query: str) -> None:
        from ._control import handle_control

        try:
            body = self._body() if method == "POST" else b""
            payload = json.loads(body) if body.strip() else {}
            status, result = handle_control(self.state, method, path, parse_qs(query), payload)
        except StripeApiError as exc:
            self._json(exc.status, exc.body())
            return
        except (ValueError, KeyError, TypeError) as exc:
            self._json(400, {"error": {"type": "invalid_request_error", "message": str(exc)}})
            return
        if isinstance(result, tuple):
            self._send(status, result[1].encode(), result[0])
        else:
            self._json(status, result)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Playwright, stripe-python and webhook receivers may hold several keep-alive connections at once.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        ensure_loopback(address[0])
        if ":" in address[0]:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.state = state
        host = address[0] if ":" not in address[0] else f"[{address[0]}]"
        state.base_url = f"http://{host}:{self.server_address[1]}"
