"""Public routes. Include once in the site's URLconf, before Wagtail's own:

path("billing/", include("caseflow_wagtail.urls")),
"""

from django.urls import path

from .views import public
from .webhooks.view import stripe_webhook

app_name = "caseflow_wagtail"

urlpatterns = [
    path("invoice/<str:token>/", public.invoice, name="invoice"),
    path("invoice/<str:token>/pay/", public.pay, name="pay"),
    path("invoice/<str:token>/paid/", public.paid, name="paid"),
    path("invoice/<str:token>/cancelled/", public.cancelled, name="cancelled"),
    path("webhooks/stripe/<int:site_pk>/", stripe_webhook, name="stripe_webhook"),
]
