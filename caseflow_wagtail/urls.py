"""Public routes. Include once in the site's URLconf, before Wagtail's own:

path("billing/", include("caseflow_wagtail.urls")),

Every route here is for clients and for Stripe, who never log in to the site: each is marked
``login_not_required``, so a site using Django's ``LoginRequiredMiddleware`` still serves them.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern
from django.urls import path as _path

from .views import account, account_payments, pdfs, public
from .views import subscription_pages as subscription_views
from .views.not_found import friendly_not_found
from .webhooks.view import stripe_webhook

app_name = "caseflow_wagtail"


def path(route: str, view, name: str) -> URLPattern:
    return _path(route, login_not_required(view), name=name)


def link_path(route: str, view, name: str) -> URLPattern:
    """A client's invoice or account link: a wrong or replaced one gets ``link_not_found``, not a bare 404."""
    return path(route, friendly_not_found(view), name=name)


urlpatterns = [
    link_path("invoice/<str:token>/", public.invoice, name="invoice"),
    link_path("invoice/<str:token>/pay/", public.pay, name="pay"),
    link_path("invoice/<str:token>/paid/", public.paid, name="paid"),
    link_path("invoice/<str:token>/cancelled/", public.cancelled, name="cancelled"),
    link_path("invoice/<str:token>/pdf/", pdfs.invoice_pdf_view, name="invoice_pdf"),
    link_path(
        "invoice/<str:token>/receipts/<int:payment_id>.pdf",
        pdfs.receipt_pdf_view,
        name="invoice_receipt_pdf",
    ),
    link_path(
        "invoice/<str:token>/update-card/",
        subscription_views.invoice_update_card,
        name="invoice_update_card",
    ),
    link_path("account/<str:token>/", account.account, name="account"),
    link_path("account/<str:token>/pay/", account_payments.pay, name="account_pay"),
    link_path("account/<str:token>/paid/", account_payments.paid, name="account_paid"),
    link_path("account/<str:token>/cancelled/", account_payments.cancelled, name="account_cancelled"),
    path("subscription/<str:token>/", subscription_views.subscription_page, name="subscription"),
    path("subscription/<str:token>/setup/", subscription_views.setup, name="subscription_setup"),
    path(
        "subscription/<str:token>/setup/done/",
        subscription_views.setup_done,
        name="subscription_setup_done",
    ),
    path(
        "subscription/<str:token>/update-card/",
        subscription_views.update_card,
        name="subscription_update_card",
    ),
    path("webhooks/stripe/<int:site_pk>/", stripe_webhook, name="stripe_webhook"),
]
