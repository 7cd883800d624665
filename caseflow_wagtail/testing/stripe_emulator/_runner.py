"""``StripeEmulator``: the emulator in a background thread of this process, with its expiry sweeper."""

from __future__ import annotations

import threading

from ._client import EmulatorClient
from ._resources.capture import CAPTURE_MODES, settle_due
from ._server import EmulatorHTTPServer, ensure_loopback
from ._state import EmulatorState


class StripeEmulator(EmulatorClient):
    """Runs the emulator in a background thread of this process.

    >>> with StripeEmulator() as emulator:
    ...     client = stripe.StripeClient(emulator.secret_key, base_addresses={"api": emulator.base_url})
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        secret_key: str | None = None,
        merchant_name: str | None = None,
        webhook_time_scale: float | None = None,
        allow_local_webhooks: bool = False,
        capture_mode: str = "async",
        settle_delay: float | None = 2.0,
    ) -> None:
        """``allow_local_webhooks``: accept webhook endpoints on localhost and private addresses, which
        Stripe refuses (the default, Stripe-strict), so deliveries can reach a server on this machine.

        ``capture_mode="sync"`` gives charges their balance transaction at once (as with
        ``capture_method: automatic``); with ``"async"``, Stripe's default at this API version, it comes
        ``settle_delay`` seconds later with ``charge.updated`` (``None``: when ``settle()`` is called)."""
        ensure_loopback(host)
        if capture_mode not in CAPTURE_MODES:
            raise ValueError("capture_mode is 'async' or 'sync'.")
        if secret_key is not None and not secret_key.startswith("sk_test_"):
            raise ValueError("The emulator only takes test secret keys (sk_test_…).")
        self.state = EmulatorState(secret_key)
        if merchant_name:
            self.state.merchant_name = merchant_name
        if webhook_time_scale is not None:
            self.state.dispatcher.time_scale = webhook_time_scale
        self.state.allow_local_webhooks = allow_local_webhooks
        self.state.capture_mode, self.state.settle_delay = capture_mode, settle_delay
        self.state.capture_defaults = (capture_mode, settle_delay)
        self._address = (host, port)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.base_url = ""
        self.secret_key = self.state.secret_key
        self.publishable_key = self.state.publishable_key

    def start(self) -> StripeEmulator:
        self._server = EmulatorHTTPServer(self._address, self.state)
        self.base_url = self.state.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="stripe-emulator",
            daemon=True,
        )
        self._thread.start()
        self._sweeper = threading.Thread(target=self._sweep, name="stripe-emulator-expiry", daemon=True)
        self._sweeper.start()
        return self

    def _sweep(self) -> None:
        while not self._stopping.wait(0.25):
            self.state.expire_sessions()
            settle_due(self.state.api)

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.state.dispatcher.stop()

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1]) if self.base_url else 0

    def __enter__(self) -> StripeEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
