"""The test settings, for a reminder job run as its own process against the test database."""

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reminders.shared_mail_log.EmailBackend"
