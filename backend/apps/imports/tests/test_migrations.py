"""Migration 0002 gives imports from before the heartbeat one (their start, else their creation),
so one stuck since then is recovered like any other."""

import pytest
from django.db import connection

from apps.favorites.tests.factories import UserFactory
from apps.favorites.tests.test_migrations import migrate

BEFORE = [("imports", "0001_initial")]
AFTER = [("imports", "0002_import_heartbeat")]


@pytest.mark.django_db(transaction=True)
def test_existing_imports_get_a_heartbeat():
    # given: imports written under the initial schema, one started, one never
    user = UserFactory()
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for status, created, started in (
                ("matching", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"),
                ("done", "2025-06-01T00:00:00Z", None),
            ):
                cursor.execute(
                    "INSERT INTO imports_import (user_id, source, status, filename, total_rows, error, attempts,"
                    " created_at, started_at) VALUES (%s, 'csv', %s, '', 0, '', 0, %s, %s)",
                    [user.pk, status, created, started],
                )
    finally:
        # when
        migrate(AFTER)
    # then
    from apps.imports.models import Import

    rows = {row.status: row for row in Import.objects.all()}
    assert rows["matching"].heartbeat_at == rows["matching"].started_at
    assert rows["done"].heartbeat_at == rows["done"].created_at
