"""Migration 0018 gives every client that existed before it an account link of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from caseflow_wagtail.models import Client

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("caseflow_wagtail", "0017_reminders")]
AFTER = [("caseflow_wagtail", "0018_client_account_link")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def test_existing_clients_each_get_their_own_token(make_invoice, billing_client):
    # A client with an invoice too: its row is referenced while the column is filled in and constrained.
    make_invoice(number="MG-0001")
    try:
        executor = migrate(BEFORE)
        old_client = executor.loader.project_state(BEFORE).apps.get_model("caseflow_wagtail", "Client")
        created = [old_client.objects.create(name=f"Before {n}").pk for n in range(4)]
        migrate(AFTER)
    finally:
        # The rest of the suite needs the latest schema whatever happened above.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    tokens = dict(Client.objects.values_list("pk", "account_token"))
    assert set(tokens) == {billing_client.pk, *created}
    assert len(set(tokens.values())) == len(tokens) == 5
    assert all(token and len(token) * 6 >= 128 for token in tokens.values())
    assert Client.objects.create(name="After").account_token not in tokens.values()
