"""The Stripe endpoints the emulator serves: method, path, handler name and stripe-python params class."""

from __future__ import annotations

import re

# (method, path template, Api method, params TypedDict under stripe.params)
ROUTES: list[tuple[str, str, str, str | None]] = [
    # Search routes come first so "search" is never taken for an object id.
    ("GET", "/v1/customers/search", "search:customer", "CustomerSearchParams"),
    ("GET", "/v1/products/search", "search:product", "ProductSearchParams"),
    ("GET", "/v1/prices/search", "search:price", "PriceSearchParams"),
    ("GET", "/v1/payment_intents/search", "search:payment_intent", "PaymentIntentSearchParams"),
    ("GET", "/v1/charges/search", "search:charge", "ChargeSearchParams"),
    ("GET", "/v1/subscriptions/search", "search:subscription", "SubscriptionSearchParams"),
    ("GET", "/v1/invoices/search", "search:invoice", "InvoiceSearchParams"),
    ("POST", "/v1/customers", "customers_create", "CustomerCreateParams"),
    ("GET", "/v1/customers", "customers_list", "CustomerListParams"),
    ("GET", "/v1/customers/{id}", "customers_retrieve", "CustomerRetrieveParams"),
    ("POST", "/v1/customers/{id}", "customers_update", "CustomerUpdateParams"),
    ("DELETE", "/v1/customers/{id}", "customers_delete", "CustomerDeleteParams"),
    (
        "GET",
        "/v1/customers/{id}/payment_methods",
        "customer_payment_methods",
        "CustomerPaymentMethodListParams",
    ),
    ("POST", "/v1/products", "products_create", "ProductCreateParams"),
    ("GET", "/v1/products", "products_list", "ProductListParams"),
    ("GET", "/v1/products/{id}", "products_retrieve", "ProductRetrieveParams"),
    ("POST", "/v1/products/{id}", "products_update", "ProductUpdateParams"),
    ("DELETE", "/v1/products/{id}", "products_delete", "ProductDeleteParams"),
    ("POST", "/v1/prices", "prices_create", "PriceCreateParams"),
    ("GET", "/v1/prices", "prices_list", "PriceListParams"),
    ("GET", "/v1/prices/{id}", "prices_retrieve", "PriceRetrieveParams"),
    ("POST", "/v1/prices/{id}", "prices_update", "PriceUpdateParams"),
    ("POST", "/v1/payment_methods", "payment_methods_create", "PaymentMethodCreateParams"),
    ("GET", "/v1/payment_methods", "payment_methods_list", "PaymentMethodListParams"),
    ("GET", "/v1/payment_methods/{id}", "payment_methods_retrieve", "PaymentMethodRetrieveParams"),
    ("POST", "/v1/payment_methods/{id}", "payment_methods_update", "PaymentMethodUpdateParams"),
    ("POST", "/v1/payment_methods/{id}/attach", "payment_methods_attach", "PaymentMethodAttachParams"),
    ("POST", "/v1/payment_methods/{id}/detach", "payment_methods_detach", "PaymentMethodDetachParams"),
    ("POST", "/v1/payment_intents", "payment_intents_create", "PaymentIntentCreateParams"),
    ("GET", "/v1/payment_intents", "payment_intents_list", "PaymentIntentListParams"),
    ("GET", "/v1/payment_intents/{id}", "payment_intents_retrieve", "PaymentIntentRetrieveParams"),
    ("POST", "/v1/payment_intents/{id}", "payment_intents_update", "PaymentIntentUpdateParams"),
    ("POST", "/v1/payment_intents/{id}/confirm", "payment_intents_confirm", "PaymentIntentConfirmParams"),
    ("POST", "/v1/payment_intents/{id}/cancel", "payment_intents_cancel", "PaymentIntentCancelParams"),
    ("GET", "/v1/charges", "charges_list", "ChargeListParams"),
    ("GET", "/v1/charges/{id}", "charges_retrieve", "ChargeRetrieveParams"),
    ("GET", "/v1/balance_transactions", "balance_transactions_list", "BalanceTransactionListParams"),
    (
        "GET",
        "/v1/balance_transactions/{id}",
        "balance_transactions_retrieve",
        "BalanceTransactionRetrieveParams",
    ),
    ("POST", "/v1/refunds", "refunds_create", "RefundCreateParams"),
    ("GET", "/v1/refunds", "refunds_list", "RefundListParams"),
    ("GET", "/v1/refunds/{id}", "refunds_retrieve", "RefundRetrieveParams"),
    ("POST", "/v1/refunds/{id}", "refunds_update", "RefundUpdateParams"),
    ("GET", "/v1/disputes", "disputes_list", "DisputeListParams"),
    ("GET", "/v1/disputes/{id}", "disputes_retrieve", "DisputeRetrieveParams"),
    ("GET", "/v1/setup_intents", "setup_intents_list", "SetupIntentListParams"),
    ("GET", "/v1/setup_intents/{id}", "setup_intents_retrieve", "SetupIntentRetrieveParams"),
    ("POST", "/v1/checkout/sessions", "checkout_sessions_create", "checkout.SessionCreateParams"),
    ("GET", "/v1/checkout/sessions", "checkout_sessions_list", "checkout.SessionListParams"),
    ("GET", "/v1/checkout/sessions/{id}", "checkout_sessions_retrieve", "checkout.SessionRetrieveParams"),
    ("POST", "/v1/checkout/sessions/{id}/expire", "checkout_sessions_expire", "checkout.SessionExpireParams"),
    (
        "GET",
        "/v1/checkout/sessions/{id}/line_items",
        "checkout_session_line_items",
        "checkout.SessionLineItemListParams",
    ),
    ("POST", "/v1/subscriptions", "subscriptions_create", "SubscriptionCreateParams"),
    ("GET", "/v1/subscriptions", "subscriptions_list", "SubscriptionListParams"),
    ("GET", "/v1/subscriptions/{id}", "subscriptions_retrieve", "SubscriptionRetrieveParams"),
    ("POST", "/v1/subscriptions/{id}", "subscriptions_update", "SubscriptionUpdateParams"),
    ("DELETE", "/v1/subscriptions/{id}", "subscriptions_cancel", "SubscriptionCancelParams"),
    ("GET", "/v1/subscription_items", "subscription_items_list", "SubscriptionItemListParams"),
    ("GET", "/v1/subscription_items/{id}", "subscription_items_retrieve", "SubscriptionItemRetrieveParams"),
    ("GET", "/v1/invoices", "invoices_list", "InvoiceListParams"),
    ("GET", "/v1/invoices/{id}", "invoices_retrieve", "InvoiceRetrieveParams"),
    ("GET", "/v1/invoices/{id}/lines", "invoice_lines", "InvoiceLineItemListParams"),
    ("POST", "/v1/invoices/{id}/pay", "invoices_pay", "InvoicePayParams"),
    ("GET", "/v1/invoice_payments", "invoice_payments_list", "InvoicePaymentListParams"),
    ("GET", "/v1/invoice_payments/{id}", "invoice_payments_retrieve", "InvoicePaymentRetrieveParams"),
    ("POST", "/v1/test_helpers/test_clocks", "test_clocks_create", "test_helpers.TestClockCreateParams"),
    ("GET", "/v1/test_helpers/test_clocks", "test_clocks_list", "test_helpers.TestClockListParams"),
    (
        "GET",
        "/v1/test_helpers/test_clocks/{id}",
        "test_clocks_retrieve",
        "test_helpers.TestClockRetrieveParams",
    ),
    (
        "DELETE",
        "/v1/test_helpers/test_clocks/{id}",
        "test_clocks_delete",
        "test_helpers.TestClockDeleteParams",
    ),
    (
        "POST",
        "/v1/test_helpers/test_clocks/{id}/advance",
        "test_clocks_advance",
        "test_helpers.TestClockAdvanceParams",
    ),
    ("POST", "/v1/billing_portal/sessions", "portal_sessions_create", "billing_portal.SessionCreateParams"),
    (
        "POST",
        "/v1/billing_portal/configurations",
        "portal_configurations_create",
        "billing_portal.ConfigurationCreateParams",
    ),
    (
        "GET",
        "/v1/billing_portal/configurations",
        "portal_configurations_list",
        "billing_portal.ConfigurationListParams",
    ),
    (
        "GET",
        "/v1/billing_portal/configurations/{id}",
        "portal_configurations_retrieve",
        "billing_portal.ConfigurationRetrieveParams",
    ),
    (
        "POST",
        "/v1/billing_portal/configurations/{id}",
        "portal_configurations_update",
        "billing_portal.ConfigurationUpdateParams",
    ),
    ("POST", "/v1/webhook_endpoints", "webhook_endpoints_create", "WebhookEndpointCreateParams"),
    ("GET", "/v1/webhook_endpoints", "webhook_endpoints_list", "WebhookEndpointListParams"),
    ("GET", "/v1/webhook_endpoints/{id}", "webhook_endpoints_retrieve", "WebhookEndpointRetrieveParams"),
    ("POST", "/v1/webhook_endpoints/{id}", "webhook_endpoints_update", "WebhookEndpointUpdateParams"),
    ("DELETE", "/v1/webhook_endpoints/{id}", "webhook_endpoints_delete", "WebhookEndpointDeleteParams"),
    ("GET", "/v1/events", "events_list", "EventListParams"),
    ("GET", "/v1/events/{id}", "events_retrieve", "EventRetrieveParams"),
]

_COMPILED = [
    (method, re.compile("^" + template.replace("{id}", "(?P<id>[^/]+)") + "$"), handler, params)
    for method, template, handler, params in ROUTES
]


def match(method: str, path: str) -> tuple[str, str | None, dict[str, str]] | None:
    """(handler, params class, path args) for a request, or None when no route fits."""
    for route_method, pattern, handler, params in _COMPILED:
        if route_method == method:
            found = pattern.match(path)
            if found:
                return handler, params, found.groupdict()
    return None


def path_known(path: str) -> bool:
    return any(pattern.match(path) for _, pattern, _, _ in _COMPILED)
