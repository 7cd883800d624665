"""The hosted pages a customer sees: Checkout, the customer portal, 3-D Secure and the hosted invoice page.

``dispatch`` routes a request to one page's module; each answers with a ``pages.Page`` or
``pages.Redirect``, which the HTTP server sends. Pages change state only through ``_api.Api``.
"""
