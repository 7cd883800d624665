"""The HTTP server: Stripe's API under /v1, hosted pages, and the control API under /_emulator/.

Only HTTP lives here (reading requests, writing answers); what an answer says comes from ``_v1``,
``_hosted`` and ``_control``.
"""

from __future__ import annotations

import ipaddress
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import _v1
from ._control import handle_control
from ._core import API_VERSION
from ._errors import StripeApiError
from ._hosted import dispatch as hosted
from ._hosted import pages
from ._hosted.pages import Redirect
from ._state import EmulatorState


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
            elif path.startswith(hosted.PREFIXES):
                self._hosted(method, path)
            elif path == "/":
                self._json(200, {"emulator": "caseflow-wagtail Stripe emulator", "api_version": API_VERSION})
            else:
                self._html(404, pages.message_page("Not found", "There is nothing at this address."))
        except BrokenPipeError:
            pass

    # -- the three parts -----------------------------------------------------------------------

    def _api(self, method: str, path: str, query: str) -> None:
        raw = self._body().decode() if method == "POST" else query
        status, body, headers = _v1.answer(
            self.state, method, path, self.path.split("?")[0], raw, self.headers
        )
        self._send(status, body, "application/json", headers)

    def _form(self) -> dict[str, str]:
        fields = parse_qs(self._body().decode(), keep_blank_values=True)
        return {k: v[-1] for k, v in fields.items()}

    def _hosted(self, method: str, path: str) -> None:
        response = hosted.handle(self.state, method, path, self._form)
        if isinstance(response, Redirect):
            self._redirect(response.url)
        else:
            self._html(response.status, response.html)

    def _control(self, method: str, path: str, query: str) -> None:
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
