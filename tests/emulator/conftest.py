from caseflow_wagtail.testing.pytest_plugin import (  # noqa: F401 - fixtures
    stripe_client,
    stripe_emulator,
    stripe_emulator_server,
    webhook_receiver,
)
