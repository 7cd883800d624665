"""Local development: the settings ``scripts/demo`` runs with."""

from .base import *  # noqa: F403

DEBUG = True

# A fixed key is fine for a demo on 127.0.0.1; production.py reads a real one from the environment.
SECRET_KEY = "django-insecure-harbour-finch-demo-only"

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
