"""On PostgreSQL the worker threads write too (own connections); same results, still idempotent."""

import pytest

from apps.movies.models import Movie, MovieRecommendation
from apps.movies.sync.movies import parallel_writes
from core.mixins.models import SyncStatus


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_store_every_movie_once_and_rerun_changes_nothing(
    run_command, tmdb_double, settings
):
    # given 40 movies whose relations overlap (shared related rows written by several threads;
    # a deadlock between two writers is rolled back and retried)
    settings.SYNC_PARALLEL_WRITES = True
    settings.SYNC_CONCURRENCY = 6
    ids = [600 + n for n in range(40)]
    for tmdb_id in ids:
        tmdb_double.add_movie(tmdb_id)
    for tmdb_id in ids:
        neighbours = [ids[(ids.index(tmdb_id) + step) % len(ids)] for step in (1, 2, 3)]
        tmdb_double.relate(tmdb_id, recommendations=neighbours[:2], similar=neighbours[2:])
    assert parallel_writes()

    # when
    first = run_command("sync_movie", *map(str, ids))
    second = run_command("sync_movie", *map(str, ids))

    # then
    assert first.code == 0, first.err
    assert first.summary["created"] + first.summary["updated"] == 40
    assert Movie.objects.filter(tmdb_id__in=ids, sync_status=SyncStatus.COMPLETE).count() == 40
    assert MovieRecommendation.objects.count() == 40 * 3
    assert second.code == 0
    assert second.summary["unchanged"] == 40
