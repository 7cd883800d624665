"""WSGI entry point for the example site."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbour_finch.settings.dev")

application = get_wsgi_application()
