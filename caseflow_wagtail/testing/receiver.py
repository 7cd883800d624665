"""A tiny HTTP server that records webhook deliveries, for tests that have no site running."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ReceivedRequest:
    def __init__(self, path: str, headers: dict[str, str], body: bytes, status: int) -> None:
        self.path = path
        self.headers = headers
        self.body = body
        self.status = status
        self.at = time.time()

    @property
    def signature(self) -> str:
        return self.headers.get("Stripe-Signature", "")

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """Listens on 127.0.0.1; answers ``respond(request) -> status`` (default 200) and keeps every request.

    Pass ``secret`` to answer 400 to deliveries whose signature does not verify, as a real site would.
    """

    def __init__(
        self, respond: Callable[[ReceivedRequest], int] | None = None, redirect_to: str | None = None
    ) -> None:
        self.received: list[ReceivedRequest] = []
        # Sent as ``Location`` with a 3xx answer, as a site that moved its webhook URL would.
        self.redirect_to = redirect_to
        self.respond = respond or (lambda _request: 200)
        self._cond = threading.Condition()
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = ReceivedRequest(self.path, dict(self.headers.items()), body, 0)
                try:
                    status = receiver.respond(request)
                except Exception:
                    status = 500
                request.status = status
                with receiver._cond:
                    receiver.received.append(request)
                    receiver._cond.notify_all()
                self.send_response(status)
                if receiver.redirect_to and 300 <= status < 400:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/stripe"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def clear(self) -> None:
        with self._cond:
            self.received.clear()

    def events(self) -> list[dict[str, Any]]:
        with self._cond:
            return [r.json() for r in self.received]

    def types(self) -> list[str]:
        return [e["type"] for e in self.events()]

    def wait_for(
        self, condition: Callable[[list[ReceivedRequest]], bool], timeout: float = 10.0
    ) -> list[ReceivedRequest]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition(self.received):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"webhook receiver: condition not met in {timeout}s; got "
                        f"{[json.loads(r.body).get('type') for r in self.received]}"
                    )
                self._cond.wait(remaining)
            return list(self.received)

    def wait_for_types(self, *types: str, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Wait until every event type named has been received at least once."""

        def seen(received: list[ReceivedRequest]) -> bool:
            got = {json.loads(r.body).get("type") for r in received}
            return all(t in got for t in types)

        return self.wait_for(seen, timeout)
