from .clients import Client
from .invoices import InvoiceIndexPage, InvoiceLine, InvoicePage, InvoiceStatus
from .payments import Adjustment, AdjustmentKind, Payment, PaymentMethod, PaymentSource
from .settings import BillingSettings

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "BillingSettings",
    "Client",
    "InvoiceIndexPage",
    "InvoiceLine",
    "InvoicePage",
    "InvoiceStatus",
    "Payment",
    "PaymentMethod",
    "PaymentSource",
]
