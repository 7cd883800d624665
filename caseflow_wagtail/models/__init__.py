from .checkout import CheckoutSession, CheckoutStatus
from .clients import Client
from .emails import EmailTemplate
from .events import EventOutcome, StripeEvent
from .gateway import PaymentGatewaySettings
from .invoices import InvoiceIndexPage, InvoiceLine, InvoicePage, InvoiceStatus
from .payments import Adjustment, AdjustmentKind, Payment, PaymentMethod, PaymentSource, ReceiptStatus
from .settings import BillingSettings
from .subscriptions import (
    CycleStatus,
    Subscription,
    SubscriptionCycle,
    SubscriptionInterval,
    SubscriptionStatus,
)

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "BillingSettings",
    "CheckoutSession",
    "CheckoutStatus",
    "Client",
    "CycleStatus",
    "EmailTemplate",
    "EventOutcome",
    "InvoiceIndexPage",
    "InvoiceLine",
    "InvoicePage",
    "InvoiceStatus",
    "Payment",
    "PaymentGatewaySettings",
    "PaymentMethod",
    "PaymentSource",
    "ReceiptStatus",
    "StripeEvent",
    "Subscription",
    "SubscriptionCycle",
    "SubscriptionInterval",
    "SubscriptionStatus",
]
