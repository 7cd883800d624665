from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseflowWagtailConfig(AppConfig):
    name = "caseflow_wagtail"
    label = "caseflow_wagtail"
    verbose_name = _("Caseflow billing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for what they register: system checks, webhook handlers, signal receivers.
        from . import checks, policies, tasks  # noqa: F401
        from .payments import account_checkout, checkout  # noqa: F401
        from .reminders import steps  # noqa: F401
        from .webhooks import (  # noqa: F401
            handlers,
            reconciliation_handlers,
            subscription_handlers,
        )

        policies.register()

        from . import gateway_panels

        gateway_panels.attach()
