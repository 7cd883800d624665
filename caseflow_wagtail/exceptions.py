"""The package's errors: one root, with Django bases mixed in where Django should treat them specially."""

from django.core.exceptions import ImproperlyConfigured


class CaseflowError(Exception):
    """Root of every error raised by caseflow-wagtail."""


class ConfigurationError(CaseflowError, ImproperlyConfigured):
    """A setting is missing or wrong; the message names the setting to fix."""


class LedgerError(CaseflowError, ValueError):
    """A payment or adjustment was refused; nothing was recorded. The message is safe to show to staff."""
