"""``/_emulator/``: what a test needs that Stripe's API lacks.

Reset, inspection, fault injection and the actions a user would take in Stripe's dashboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _versions
from ._core import API_VERSION, snapshot
from ._errors import StripeApiError, invalid
from ._faults import ApiFault
from ._hosted.pages import STYLESHEET
from ._resources.capture import CAPTURE_MODES, configure_settlement, settle_matching
from ._resources.portal_configurations import save_dashboard_settings
from ._webhooks import roll_secret

if TYPE_CHECKING:
    from ._core import Account
    from ._state import EmulatorState


def _need(payload: dict[str, Any], key: str) -> Any:
    if key not in payload:
        raise invalid(f"Missing required field: {key}", param=key)
    return payload[key]


def handle_control(
    state: EmulatorState, method: str, path: str, query: dict[str, list[str]], payload: dict[str, Any]
) -> tuple[int, Any]:
    route = path[len("/_emulator") :] or "/"
    q = {k: v[-1] for k, v in query.items()}
    if route == "/static/pages.css":
        return 200, ("text/css; charset=utf-8", STYLESHEET)
    if route in ("/", "/health") and method == "GET":
        return 200, {
            "ok": True,
            "base_url": state.base_url,
            "secret_key": state.secret_key,
            "publishable_key": state.publishable_key,
        }
    if route == "/reset" and method == "POST":
        state.reset()
        return 200, {"ok": True}
    if route == "/requests":
        if method == "DELETE":
            state.requests.clear()
            return 200, {"ok": True}
        entries = state.requests.list()
        for key in ("method", "path", "idempotency_key"):
            if key in q:
                entries = [e for e in entries if e.get(key) == q[key]]
        return 200, {"data": entries}
    if route.startswith("/requests/"):
        rid = route.split("/", 2)[2]
        for entry in state.requests.list():
            if entry["id"] == rid:
                return 200, entry
        raise StripeApiError(404, f"No such request: {rid}", code="resource_missing")
    if route == "/deliveries":
        deliveries = state.dispatcher.snapshot()
        for key in ("event", "type", "endpoint", "status"):
            if key in q:
                deliveries = [d for d in deliveries if d.get(key) == q[key]]
        return 200, {"data": deliveries, "idle": state.dispatcher.idle()}
    if route == "/faults":
        if method == "DELETE":
            with state.lock:
                state.faults.clear()
                state.dispatcher.faults.clear()
            return 200, {"ok": True}
        if method == "POST":
            fault = ApiFault(payload)
            if fault.status is None and not fault.delay:
                raise invalid("A fault needs a status (429, 500 …) or a delay in seconds.", param="status")
            with state.lock:
                state.faults.append(fault)
            return 200, {"ok": True, "fault": fault.spec}
        with state.lock:
            return 200, {"data": [{**f.spec, "remaining": f.count} for f in state.faults if f.count > 0]}
    if route == "/webhook_faults" and method == "POST":
        state.dispatcher.add_fault(
            _need(payload, "mode"),
            int(payload.get("count", 1)),
            float(payload.get("delay", 0)),
            payload.get("types"),
        )
        return 200, {"ok": True}
    if route == "/config" and method == "POST":
        return 200, _configure(state, payload)
    if route.startswith("/actions/") and method == "POST":
        return 200, _action(state, route[len("/actions/") :], payload)
    raise StripeApiError(404, f"Unknown control route {method} {path}", code="resource_missing")


def _configure(state: EmulatorState, payload: dict[str, Any]) -> dict[str, Any]:
    dispatcher = state.dispatcher
    with state.lock:
        if "webhook_time_scale" in payload:
            dispatcher.time_scale = float(payload["webhook_time_scale"])
        if "webhook_retry_schedule" in payload:
            dispatcher.schedule = tuple(float(x) for x in payload["webhook_retry_schedule"])
        if "webhook_timeout" in payload:
            dispatcher.timeout = float(payload["webhook_timeout"])
        if "allow_local_webhooks" in payload:
            state.allow_local_webhooks = bool(payload["allow_local_webhooks"])
        if "merchant_name" in payload:
            state.merchant_name = str(payload["merchant_name"])
            for acct in state.accounts.values():
                acct.merchant_name = state.merchant_name
        if "capture_mode" in payload:
            if payload["capture_mode"] not in CAPTURE_MODES:
                raise invalid("capture_mode is async or sync.", param="capture_mode")
            state.capture_mode = payload["capture_mode"]
        if "settle_delay" in payload:
            delay = payload["settle_delay"]
            state.settle_delay = None if delay is None else float(delay)
        if "settlement_currency" in payload or "exchange_rates" in payload:
            configure_settlement(state, payload)
        if "account_api_version" in payload:
            _set_account_api_version(state, str(payload["account_api_version"]), payload.get("secret_key"))
    return {
        "account_api_version": state.account_api_version,
        "webhook_time_scale": dispatcher.time_scale,
        "webhook_retry_schedule": list(dispatcher.schedule),
        "webhook_timeout": dispatcher.timeout,
        "merchant_name": state.merchant_name,
        "allow_local_webhooks": state.allow_local_webhooks,
        "capture_mode": state.capture_mode,
        "settle_delay": state.settle_delay,
        **state.settlement.describe(),
    }


def _set_account_api_version(state: EmulatorState, version: str, secret_key: Any) -> None:
    """One account's default API version (``secret_key``), or every account's and new accounts'."""
    if not _versions.known(version):
        raise invalid(
            f"Unsupported account API version {version!r}: use {API_VERSION} or one of "
            f"{', '.join(_versions.RENDERED)}.",
            param="account_api_version",
        )
    if secret_key:
        state.account(str(secret_key)).api_version = version
        return
    state.account_api_version = version
    for acct in state.accounts.values():
        acct.api_version = version


def _charge_target(state: EmulatorState, payload: dict[str, Any]) -> tuple[Any, Account]:
    """The charge or PaymentIntent a Dashboard refund or dispute names, and the account it belongs to."""
    target = payload.get("payment_intent") or payload.get("charge")
    if not target:
        raise invalid("Give payment_intent or charge.", param="payment_intent")
    acct = state.owner(target)
    if acct is None:
        raise StripeApiError(404, f"No such object: '{target}'", code="resource_missing")
    return target, acct


def _action(state: EmulatorState, name: str, payload: dict[str, Any]) -> Any:
    api = state.api
    acct: Account | None
    if name == "refund":
        _, acct = _charge_target(state, payload)
        params = {
            k: str(v) for k, v in payload.items() if k in ("payment_intent", "charge", "amount", "reason")
        }
        with state.lock:
            return snapshot(api.refunds_create(acct, params))
    if name == "dispute":
        # As the card network would: open a dispute on a charge, then move it along or close it.
        step = payload.get("action") or "open"
        if step == "open":
            target, acct = _charge_target(state, payload)
            params = {k: str(v) for k, v in payload.items() if k in ("amount", "reason")}
            with state.lock:
                obj = acct.objects[target]
                charge = (
                    acct.objects.get(obj.get("latest_charge") or "")
                    if obj["object"] == "payment_intent"
                    else obj
                )
                if charge is None:
                    raise invalid(f"{target} has no charge to dispute.", param="payment_intent")
                return snapshot(api.dispute_open(acct, charge, params))
        dispute_id = _need(payload, "dispute")
        acct = state.owner(dispute_id)
        if acct is None:
            raise StripeApiError(404, f"No such dispute: '{dispute_id}'", code="resource_missing")
        params = {"status": str(payload["status"])} if payload.get("status") else {}
        with state.lock:
            dp = acct.objects[dispute_id]
            if step == "update":
                return snapshot(api.dispute_update(acct, dp, params))
            if step == "close":
                return snapshot(api.dispute_close(acct, dp, params))
        raise invalid("action is open, update or close.", param="action")
    if name == "advance_clock":
        clock_id = _need(payload, "test_clock")
        acct = state.owner(clock_id)
        if acct is None:
            raise StripeApiError(404, f"No such test clock: '{clock_id}'", code="resource_missing")
        with state.lock:
            clock = acct.objects[clock_id]
            target = int(payload.get("frozen_time") or clock["frozen_time"] + int(_need(payload, "seconds")))
            return snapshot(api.test_clocks_advance(acct, {"frozen_time": str(target)}, clock_id))
    if name == "settle":
        # The background capture finishing: balance transactions for pending charges, charge.updated.
        target = payload.get("payment_intent") or payload.get("charge")
        return {"data": [snapshot(ch) for ch in settle_matching(state.api, target)]}
    if name == "expire_session":
        sid = _need(payload, "session")
        acct = state.owner(sid)
        if acct is None:
            raise StripeApiError(404, f"No such checkout.session: '{sid}'", code="resource_missing")
        with state.lock:
            return snapshot(api.checkout_sessions_expire(acct, {}, sid))
    if name == "resend_event":
        eid = _need(payload, "event")
        acct = state.owner(eid)
        if acct is None:
            raise StripeApiError(404, f"No such event: '{eid}'", code="resource_missing")
        with state.lock:
            event = acct.objects[eid]
            endpoints = [
                ep
                for ep in acct.all("webhook_endpoint")
                if ep["status"] == "enabled"
                and ("*" in ep["enabled_events"] or event["type"] in ep["enabled_events"])
            ]
            for ep in endpoints:
                state.dispatcher.enqueue(acct.secret_key, event, ep)
            return {"ok": True, "endpoints": [ep["id"] for ep in endpoints]}
    if name == "travel":
        # Moves the emulator's own clock, which ages idempotency keys (test clocks move subscriptions).
        seconds = float(_need(payload, "seconds"))
        if seconds < 0:
            raise invalid("The emulator's clock only moves forward.", param="seconds")
        with state.lock:
            state.clock_offset += seconds
            return {"clock_offset": state.clock_offset}
    if name == "roll_webhook_secret":
        endpoint_id = _need(payload, "endpoint")
        acct = state.owner(endpoint_id)
        if acct is None:
            raise StripeApiError(404, f"No such webhook endpoint: '{endpoint_id}'", code="resource_missing")
        expires_in = float(payload.get("expires_in", 86400))
        # The Dashboard lets the old secret live for up to 24 hours.
        if not 0 <= expires_in <= 86400:
            raise invalid("expires_in is between 0 and 86400 seconds.", param="expires_in")
        with state.lock:
            return {"secret": roll_secret(acct.priv(endpoint_id), expires_in)}
    if name == "save_portal_settings":
        # As saving the customer portal settings in the Dashboard does: the account gets its default
        # configuration, and portal sessions without ``configuration`` are accepted from then on.
        acct = state.account(str(payload.get("secret_key") or state.secret_key))
        with state.lock:
            return snapshot(save_dashboard_settings(acct))
    raise StripeApiError(404, f"Unknown action {name!r}", code="resource_missing")
