"""Local development: the settings ``scripts/demo`` runs with."""

from .base import *  # noqa: F403

DEBUG = True

# A fixed key is fine for a demo on 127.0.0.1; production.py reads a real one from the environment.
SECRET_KEY = "django-insecure-harbour-finch-demo-only"

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Receipts are printed here; `manage.py check --deploy` (caseflow_wagtail.W012) says so of a production site.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# scripts/demo runs the bundled Stripe emulator and points the site at it through the plugin's own
# CASEFLOW_STRIPE_API_BASE environment variable: test keys only, no network.
