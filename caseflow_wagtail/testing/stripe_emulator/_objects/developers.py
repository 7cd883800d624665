"""What the Dashboard's Developers section holds: webhook endpoints and test clocks."""

from __future__ import annotations

from typing import Any


def webhook_endpoint(oid: str, created: int, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_version": params.get("api_version"),
        "application": None,
        "created": created,
        "description": params.get("description"),
        "enabled_events": params["enabled_events"],
        "id": oid,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "object": "webhook_endpoint",
        "status": "enabled",
        "url": params["url"],
    }


def test_clock(oid: str, created: int, frozen_time: int, name: str | None) -> dict[str, Any]:
    return {
        "created": created,
        "deletes_after": created + 30 * 86400,
        "frozen_time": frozen_time,
        "id": oid,
        "livemode": False,
        "name": name,
        "object": "test_helpers.test_clock",
        "status": "ready",
        "status_details": {},
    }
