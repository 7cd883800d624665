"""Local development: the settings ``scripts/demo`` runs with."""

from .base import *  # noqa: F403

DEBUG = True

# A fixed key is fine for a demo on 127.0.0.1; production.py reads a real one from the environment.
SECRET_KEY = "django-insecure-harbour-finch-demo-only"

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Receipts are printed by the console backend in the demo, which is what W012 warns about in production.
SILENCED_SYSTEM_CHECKS = ["caseflow_wagtail.W012"]

# scripts/demo runs the bundled Stripe emulator and points the site at it through the plugin's own
# CASEFLOW_STRIPE_API_BASE environment variable: test keys only, no network.
