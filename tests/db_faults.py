"""Real database failures for tests, injected with a PostgreSQL trigger rather than a mock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def fail_once(table: str, event: str, condition: str, message: str) -> Iterator[None]:
    """The first row written to ``table`` (``event``: INSERT or UPDATE) that meets ``condition`` (SQL over
    ``NEW``) fails with ``message``; a sequence counts, since it is not rolled back with the failure."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE tests_fail_once")
        cursor.execute(
            "CREATE FUNCTION tests_fail_once() RETURNS trigger AS $$ BEGIN "
            f"IF {condition} AND nextval('tests_fail_once') = 1 THEN "
            f"RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f'CREATE TRIGGER tests_fail_once BEFORE {event} ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION tests_fail_once()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER IF EXISTS tests_fail_once ON "{table}"')
            cursor.execute("DROP FUNCTION IF EXISTS tests_fail_once()")
            cursor.execute("DROP SEQUENCE IF EXISTS tests_fail_once")
