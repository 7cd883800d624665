"""A mail service that can be down: Postmark's send API on a loopback port, for anymail's real Postmark
backend. Shared by the tests of receipts, invoices and reminders when the mail service fails."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakePostmark:
    """Postmark's send API on a loopback port: answers 500 while ``down``, else accepts the message."""

    def __init__(self) -> None:
        self.down = True
        self.received: list[tuple[int, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.down:
                    status, answer = 500, {"ErrorCode": 500, "Message": "Internal server error"}
                else:
                    status = 200
                    answer = {
                        "To": body["To"],
                        "SubmittedAt": "2026-11-26T08:00:00Z",
                        "MessageID": str(uuid.uuid4()),
                        "ErrorCode": 0,
                        "Message": "OK",
                    }
                fake.received.append((status, {**body, "MessageID": answer.get("MessageID")}))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sent(self) -> list[dict]:
        return [body for status, body in self.received if status == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def postmark(settings) -> Iterator[FakePostmark]:
    fake = FakePostmark()
    # anymail's real Postmark backend, sending over HTTP to the fake instead of Postmark.
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-server-token", "POSTMARK_API_URL": fake.url}
    yield fake
    fake.close()
