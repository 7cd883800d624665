"""Setup intents: made by Checkout in ``setup`` mode; read-only here."""

from __future__ import annotations

from typing import Any

from .._core import Account
from .base import Resource


class SetupIntents(Resource):
    """``/v1/setup_intents``."""

    def setup_intents_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "setup_intent", id, "setup_intent")

    def setup_intents_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.list_filtered(acct, "setup_intent", params, "/v1/setup_intents", customer="customer")
