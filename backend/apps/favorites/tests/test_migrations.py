"""Migrations 0002/0003 add added_at and removed_at and back-fill rows that existed before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.movies.tests.factories import MovieFactory

from .factories import UserFactory

BEFORE = [("favorites", "0001_initial")]
AFTER = [("favorites", "0003_backfill_added_removed_at")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_backfill_on_existing_rows():
    # given: rows written under the initial schema
    user, kept, removed = UserFactory(), MovieFactory(), MovieFactory()
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for movie, active, created, updated in (
                (kept, True, "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
                (removed, False, "2020-02-01T00:00:00Z", "2022-02-02T00:00:00Z"),
            ):
                cursor.execute(
                    "INSERT INTO favorites_favorite (created_at, updated_at, is_active, user_rating, notes,"
                    " movie_id, user_id) VALUES (%s, %s, %s, NULL, '', %s, %s)",
                    [created, updated, active, movie.pk, user.pk],
                )
    finally:
        # when
        migrate(AFTER)
    # then
    from apps.favorites.models import Favorite

    rows = {row.movie_id: row for row in Favorite.objects.all()}
    assert rows[kept.pk].added_at == rows[kept.pk].created_at
    assert rows[kept.pk].removed_at is None
    assert rows[removed.pk].added_at == rows[removed.pk].created_at
    assert rows[removed.pk].removed_at == rows[removed.pk].updated_at
