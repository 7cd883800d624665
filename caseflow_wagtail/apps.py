from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseflowWagtailConfig(AppConfig):
    name = "caseflow_wagtail"
    label = "caseflow_wagtail"
    verbose_name = _("Caseflow billing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
