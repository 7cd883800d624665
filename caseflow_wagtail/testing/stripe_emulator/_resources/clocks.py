"""Test clocks: frozen time for a customer's subscriptions; advancing renews and retries."""

from __future__ import annotations

from typing import Any

from .. import _objects as build
from .._core import Account, new_id, real_now
from .._errors import invalid
from .._values import get_int, get_str
from .base import Resource, add_interval


class TestClocks(Resource):
    """``/v1/test_helpers/test_clocks``; advancing runs what falls due, in time order."""

    def test_clocks_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        frozen = get_int(params, "frozen_time", required=True)
        clock = build.test_clock(new_id("clock_"), real_now(), frozen, get_str(params, "name"))
        acct.put(clock)
        self.emit(acct, "test_helpers.test_clock.created", clock)
        return clock

    def test_clocks_retrieve(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")

    def test_clocks_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return self.paginate(acct.all("test_helpers.test_clock"), params, "/v1/test_helpers/test_clocks")

    def test_clocks_delete(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        clock = self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")
        for cus in acct.all("customer"):
            if cus.get("test_clock") == id:
                acct.remove(cus["id"])
        acct.remove(id)
        self.emit(acct, "test_helpers.test_clock.deleted", clock)
        return {"deleted": True, "id": id, "object": "test_helpers.test_clock"}

    def test_clocks_advance(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        clock = self.get(acct, "test_helpers.test_clock", id, "test_helpers.test_clock")
        target = get_int(params, "frozen_time", required=True)
        if target <= clock["frozen_time"]:
            raise invalid(
                "The test clock can only be advanced to a time after its current frozen_time.",
                param="frozen_time",
            )
        clock["status"] = "advancing"
        clock["status_details"] = {"advancing": {"target_frozen_time": target}}
        self.emit(acct, "test_helpers.test_clock.advancing", clock)
        self.advance_clock(acct, clock, target)
        clock["status"] = "ready"
        clock["status_details"] = {}
        self.emit(acct, "test_helpers.test_clock.ready", clock)
        return clock

    def advance_clock(self, acct: Account, clock: dict[str, Any], target: int) -> None:
        customers = {c["id"] for c in acct.all("customer") if c.get("test_clock") == clock["id"]}
        while True:
            # Renewals and payment retries happen in time order, one at a time.
            due: list[tuple[int, str, dict[str, Any]]] = [
                (s["items"]["data"][0]["current_period_end"], "renew", s)
                for s in acct.all("subscription")
                if s["customer"] in customers
                and s["status"] in ("active", "past_due", "trialing")
                and s["items"]["data"][0]["current_period_end"] <= target
            ]
            # Stripe warns three days before a trial ends (at once for shorter trials).
            due += [
                (max(s["trial_end"] - 3 * 86400, s["trial_start"]), "trial_will_end", s)
                for s in acct.all("subscription")
                if s["customer"] in customers
                and s["status"] == "trialing"
                and not acct.priv(s["id"]).get("trial_warned")
                and max(s["trial_end"] - 3 * 86400, s["trial_start"]) <= target
            ]
            due += [
                (i["next_payment_attempt"], "retry", i)
                for i in acct.all("invoice")
                if i["customer"] in customers
                and i["status"] == "open"
                and i["next_payment_attempt"]
                and i["next_payment_attempt"] <= target
            ]
            if not due:
                break
            when, action, obj = min(due, key=lambda d: (d[0], d[1]))
            clock["frozen_time"] = when
            if action == "trial_will_end":
                acct.priv(obj["id"])["trial_warned"] = True
                self.emit(acct, "customer.subscription.trial_will_end", obj)
            elif action == "renew":
                self._renew(acct, obj)
            else:
                self._retry(acct, obj)
        clock["frozen_time"] = target

    def _retry(self, acct: Account, invoice: dict[str, Any]) -> None:
        sub = acct.find("subscription", invoice["parent"]["subscription_details"]["subscription"])
        status = self._collect(acct, invoice, sub, off_session=True)
        if sub is None or sub["status"] in ("canceled", "incomplete_expired"):
            return
        if status == "paid":
            self._set_status(acct, sub, "active")
        elif invoice["next_payment_attempt"] is None:
            # Stripe's default when every retry has failed: cancel the subscription.
            self._cancel_subscription(acct, sub, reason="payment_failed")

    def _renew(self, acct: Account, sub: dict[str, Any]) -> None:
        start = sub["items"]["data"][0]["current_period_end"]
        if sub["cancel_at_period_end"] or (sub["cancel_at"] and sub["cancel_at"] <= start):
            self._cancel_subscription(acct, sub, at=start)
            return
        interval, count, anchor_day = acct.priv(sub["id"])["interval"]
        end = add_interval(start, interval, count, anchor_day)
        previous_start = sub["items"]["data"][0]["current_period_start"]
        for item in sub["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = start, end
        invoice = self._cycle_invoice(acct, sub, "subscription_cycle", (start, end))
        # Stripe's invoice period is the one that just ended; its lines bill the one that starts.
        invoice["period_start"], invoice["period_end"] = previous_start, start
        status = self._collect(acct, invoice, sub, off_session=True)
        if status == "paid":
            if sub["status"] in ("past_due", "trialing"):
                self._set_status(acct, sub, "active")
        else:
            self._set_status(acct, sub, "past_due")
