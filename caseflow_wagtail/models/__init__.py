from .clients import Client
from .events import EventOutcome, StripeEvent
from .gateway import PaymentGatewaySettings
from .invoices import InvoiceIndexPage, InvoiceLine, InvoicePage, InvoiceStatus
from .payments import Adjustment, AdjustmentKind, Payment, PaymentMethod, PaymentSource
from .settings import BillingSettings

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "BillingSettings",
    "Client",
    "EventOutcome",
    "InvoiceIndexPage",
    "InvoiceLine",
    "InvoicePage",
    "InvoiceStatus",
    "Payment",
    "PaymentGatewaySettings",
    "PaymentMethod",
    "PaymentSource",
    "StripeEvent",
]
