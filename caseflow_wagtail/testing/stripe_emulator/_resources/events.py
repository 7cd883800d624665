"""Events through the API: each rendered at the API version it was created with."""

from __future__ import annotations

import re
from typing import Any

from .. import _versions
from .._core import Account
from .._errors import invalid
from .._values import created_filter, get_bool, get_list, get_str
from .base import Resource


class Events(Resource):
    """``/v1/events``; events are made by ``Resource.emit`` and delivered by ``_webhooks``."""

    def events_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        # Rendered at the event's own API version, whatever Stripe-Version the request sends.
        return _versions.render_event(acct, self.get(acct, "event", id, "event"))

    def events_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        items = acct.all("event")
        kind = get_str(params, "type")
        types = get_list(params, "types")
        if kind and types:
            raise invalid("You may only specify one of these parameters: type, types.", param="types")
        # ``type`` takes one name or a ``*`` wildcard; ``types`` up to 20 exact names (API reference).
        if types and len(types) > 20:
            raise invalid("You may pass at most 20 event types.", param="types")
        for name in types or []:
            if not isinstance(name, str) or "*" in name:
                raise invalid("types takes exact event names; use type for a wildcard.", param="types")
        patterns = [kind] if kind else (types or [])
        if patterns:
            regexes = [re.compile("^" + re.escape(p).replace(r"\*", "[^.]*(\\..*)?") + "$") for p in patterns]
            items = [e for e in items if any(r.match(e["type"]) for r in regexes)]
        if "delivery_success" in params:
            delivered = get_bool(params, "delivery_success")
            items = [e for e in items if (e["pending_webhooks"] == 0) == delivered]
        created = created_filter(params)
        page = self.paginate([e for e in items if created(e["created"])], params, "/v1/events")
        page["data"] = [_versions.render_event(acct, e) for e in page["data"]]
        return page
