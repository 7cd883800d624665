"""Every entry the plugin writes to Wagtail's audit log: the action ids, and how each reads in the admin.

The modules that log an action import its id from here; ``register_actions`` (the ``register_log_actions``
hook) gives each a label and a message, or a formatter that reads the entry's data.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from . import money

# Money (caseflow_wagtail.ledger, fulfilment)
PAYMENT_RECORDED = "caseflow_wagtail.payment_recorded"
ADJUSTMENT_RECORDED = "caseflow_wagtail.adjustment_recorded"
PAYMENT_FAILED = "caseflow_wagtail.payment_failed"
# Invoices (the admin's invoice actions)
LINK_REGENERATED = "caseflow_wagtail.regenerate_link"
INVOICE_VOIDED = "caseflow_wagtail.void"
INVOICE_RESTORED = "caseflow_wagtail.restore"
INVOICE_SENT = "caseflow_wagtail.invoice_sent"
REMINDER_SENT = "caseflow_wagtail.reminder_sent"
REMINDERS_PAUSED = "caseflow_wagtail.reminders_paused"
REMINDERS_RESUMED = "caseflow_wagtail.reminders_resumed"
# Payment Gateways
LIVE_ATTESTED = "caseflow_wagtail.live_mode_attested"
WEBHOOK_CONFIGURED = "caseflow_wagtail.webhook_configured"
# Retainer subscriptions
SUBSCRIPTION_CREATED = "caseflow_wagtail.subscription_created"
SETUP_SENT = "caseflow_wagtail.subscription_setup_sent"
STATUS_CHANGED = "caseflow_wagtail.subscription_status"
CANCEL_SCHEDULED = "caseflow_wagtail.subscription_cancel_scheduled"
CANCEL_UNDONE = "caseflow_wagtail.subscription_cancel_undone"
CANCELED = "caseflow_wagtail.subscription_canceled"
CHARGE_PAID = "caseflow_wagtail.subscription_charge_paid"
CHARGE_FAILED = "caseflow_wagtail.subscription_charge_failed"
ACTION_REQUIRED = "caseflow_wagtail.subscription_action_required"
CARD_CHANGED = "caseflow_wagtail.subscription_card_changed"


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


class InvoiceVoidedFormatter(LogFormatter):
    label = _("Void invoice")

    def format_message(self, log_entry) -> str:
        reason = (log_entry.data or {}).get("reason") or ""
        if reason:
            return gettext("Invoice voided: %(reason)s") % {"reason": reason}
        return gettext("Invoice voided")


class InvoiceSentFormatter(LogFormatter):
    label = _("Send invoice")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        if data.get("cc"):
            return gettext("Invoice emailed to %(to)s, with a copy to %(cc)s") % {
                "to": data.get("to", ""),
                "cc": data["cc"],
            }
        return gettext("Invoice emailed to %(to)s") % {"to": data.get("to", "")}


class ReminderSentFormatter(LogFormatter):
    label = _("Send reminder")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return gettext("Payment reminder (%(step)s) emailed to %(to)s") % {
            "step": data.get("step", ""),
            "to": data.get("to", ""),
        }


# Actions whose entries read the same every time: (id, label, message).
PLAIN_ACTIONS = (
    (
        LINK_REGENERATED,
        _("Regenerate client link"),
        _("Client link regenerated; the old link stopped working"),
    ),
    (INVOICE_RESTORED, _("Restore invoice"), _("Void invoice restored")),
    (REMINDERS_PAUSED, _("Pause reminders"), _("Payment reminders paused for this invoice")),
    (REMINDERS_RESUMED, _("Resume reminders"), _("Payment reminders resumed for this invoice")),
    (
        LIVE_ATTESTED,
        _("Confirm operating account"),
        _("Confirmed the Stripe account pays out to an operating account"),
    ),
    (WEBHOOK_CONFIGURED, _("Configure webhook"), _("Stripe webhook configured")),
    (SUBSCRIPTION_CREATED, _("Create subscription"), _("Subscription created")),
    (SETUP_SENT, _("Send setup link"), _("Setup link emailed to the client")),
    (STATUS_CHANGED, _("Subscription status"), _("Status changed in Stripe")),
    (CANCEL_SCHEDULED, _("Schedule cancellation"), _("Cancellation at period end scheduled")),
    (CANCEL_UNDONE, _("Undo cancellation"), _("Pending cancellation withdrawn")),
    (CANCELED, _("Cancel subscription"), _("Subscription canceled immediately")),
    (CHARGE_PAID, _("Charge paid"), _("Cycle charged; invoice created and payment recorded")),
    (CHARGE_FAILED, _("Charge failed"), _("Card charge failed; firm and client notified")),
    (ACTION_REQUIRED, _("Authentication required"), _("The bank asked the client to confirm")),
    (CARD_CHANGED, _("Card changed"), _("The card Stripe charges was replaced")),
)

FORMATTED_ACTIONS = (
    (PAYMENT_RECORDED, PaymentRecordedFormatter),
    (ADJUSTMENT_RECORDED, AdjustmentRecordedFormatter),
    (PAYMENT_FAILED, PaymentFailedFormatter),
    (INVOICE_VOIDED, InvoiceVoidedFormatter),
    (INVOICE_SENT, InvoiceSentFormatter),
    (REMINDER_SENT, ReminderSentFormatter),
)


def register_actions(actions) -> None:
    """Wagtail's ``register_log_actions`` hook: every action above, once."""
    for action, formatter in FORMATTED_ACTIONS:
        actions.register_action(action)(formatter)
    for action, label, message in PLAIN_ACTIONS:
        actions.register_action(action, label, message)
