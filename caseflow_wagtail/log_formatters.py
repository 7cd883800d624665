"""How money entries read in Wagtail's history and audit log."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from . import money


def _amount(data: dict, key: str = "amount") -> str:
    try:
        return money.format_money(Decimal(data[key]), data["currency"])
    except (KeyError, ArithmeticError, ValueError):
        return ""


class PaymentRecordedFormatter(LogFormatter):
    label = _("Record payment")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Payment of %(amount)s recorded; balance %(balance)s") % {
            "amount": _amount(data),
            "balance": _amount(data, "balance"),
        }


class AdjustmentRecordedFormatter(LogFormatter):
    label = _("Record billing adjustment")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = _("Refund of %(amount)s recorded; balance %(balance)s")
        if data.get("kind") == "credit":
            message = _("Credit of %(amount)s recorded; balance %(balance)s")
        return message % {"amount": _amount(data), "balance": _amount(data, "balance")}


class PaymentFailedFormatter(LogFormatter):
    label = _("Card payment failed")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        reason = data.get("message") or data.get("decline_code") or data.get("code") or ""
        if reason:
            return _("A card payment failed (%(reason)s); nothing was recorded") % {"reason": reason}
        return _("A card payment failed; nothing was recorded")
