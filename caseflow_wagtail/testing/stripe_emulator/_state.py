"""The running emulator's state: the store with the Stripe API that acts on it."""

from __future__ import annotations

from ._api import Api
from ._core import set_request
from ._store import Store


class EmulatorState(Store):
    """What the HTTP server, the control API and the background sweeper share."""

    def __init__(self, secret_key: str | None = None, publishable_key: str | None = None) -> None:
        super().__init__(secret_key, publishable_key)
        self.api = Api(self)

    def expire_sessions(self) -> None:
        """Expire open Checkout sessions whose time has come, as Stripe does without being asked."""
        with self.lock:
            for acct in self.accounts.values():
                for session in acct.all("checkout.session"):
                    if session["status"] == "open":
                        set_request(None)
                        self.api._refresh_session(acct, session)
