from .checkout import CheckoutSession, CheckoutStatus
from .clients import Client
from .combined import AccountCheckout, AccountCheckoutLine, CombinedPayment
from .emails import EmailTemplate
from .events import EventOutcome, StripeEvent
from .gateway import PaymentGatewaySettings
from .invoice_folders import InvoiceIndexPage
from .invoice_lines import InvoiceLine
from .invoices import InvoicePage, InvoiceStatus
from .payments import Adjustment, AdjustmentKind, Payment, PaymentMethod, PaymentSource, ReceiptStatus
from .reconciliation import DisputeStatus, StripeDispute, StripeRefund, SyncRun, WebhookRefusal
from .reminders import InvoiceReminder, ReminderStatus, ReminderStep
from .sending import InvoiceSending, SendingStatus
from .settings import BillingSettings
from .subscriptions import (
    CycleStatus,
    Subscription,
    SubscriptionCycle,
    SubscriptionInterval,
    SubscriptionStatus,
)
from .unapplied import UnappliedPayment, UnappliedReason, UnappliedStatus

__all__ = [
    "AccountCheckout",
    "AccountCheckoutLine",
    "Adjustment",
    "AdjustmentKind",
    "BillingSettings",
    "CheckoutSession",
    "CheckoutStatus",
    "Client",
    "CombinedPayment",
    "CycleStatus",
    "DisputeStatus",
    "EmailTemplate",
    "EventOutcome",
    "InvoiceIndexPage",
    "InvoiceLine",
    "InvoicePage",
    "InvoiceReminder",
    "InvoiceSending",
    "InvoiceStatus",
    "Payment",
    "PaymentGatewaySettings",
    "PaymentMethod",
    "PaymentSource",
    "ReceiptStatus",
    "ReminderStatus",
    "ReminderStep",
    "SendingStatus",
    "StripeDispute",
    "StripeEvent",
    "StripeRefund",
    "Subscription",
    "SubscriptionCycle",
    "SubscriptionInterval",
    "SubscriptionStatus",
    "SyncRun",
    "UnappliedPayment",
    "UnappliedReason",
    "UnappliedStatus",
    "WebhookRefusal",
]
