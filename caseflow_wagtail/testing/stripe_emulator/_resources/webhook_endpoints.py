"""Webhook endpoints: where events are delivered, with their signing secrets."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id, real_now, snapshot
from .._errors import missing_param
from .._values import get_bool, get_list, get_metadata, get_str, merge_metadata
from .._webhook_urls import check_url as check_webhook_url
from .base import Resource


class WebhookEndpoints(Resource):
    """``/v1/webhook_endpoints`` (their URLs checked as Stripe checks them)."""

    def webhook_endpoints_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        url = get_str(params, "url", required=True)
        check_webhook_url(url, self.state.allow_local_webhooks)
        events = get_list(params, "enabled_events", required=True)
        if not events:
            raise missing_param("enabled_events")
        get_metadata(params)
        endpoint = build.webhook_endpoint(
            new_id("we_"), real_now(), {**params, "enabled_events": list(events)}
        )
        secret = "whsec_" + new_id("", 32)
        acct.put(endpoint, secret=secret)
        response = snapshot(endpoint)
        response["secret"] = secret
        return response

    def webhook_endpoints_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "webhook_endpoint", id, "webhook endpoint")

    def webhook_endpoints_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        endpoint = self.get(acct, "webhook_endpoint", id, "webhook endpoint")
        if "url" in params:
            url = get_str(params, "url", required=True)
            check_webhook_url(url, self.state.allow_local_webhooks)
            endpoint["url"] = url
        if "enabled_events" in params:
            endpoint["enabled_events"] = list(get_list(params, "enabled_events"))
        if "description" in params:
            endpoint["description"] = get_str(params, "description") or None
        if "disabled" in params:
            endpoint["status"] = "disabled" if get_bool(params, "disabled") else "enabled"
        metadata = get_metadata(params)
        if metadata is not None:
            endpoint["metadata"] = merge_metadata(endpoint["metadata"], metadata)
        return endpoint

    def webhook_endpoints_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        self.get(acct, "webhook_endpoint", id, "webhook endpoint")
        acct.remove(id)
        return {"deleted": True, "id": id, "object": "webhook_endpoint"}

    def webhook_endpoints_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.paginate(acct.all("webhook_endpoint"), params, "/v1/webhook_endpoints")
