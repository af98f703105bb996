"""refresh_stale: oldest first, a limit, failed movies retried only after their back-off."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.movies.models import Movie
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db


def _age(tmdb_id: int, days: int) -> None:
    Movie.objects.filter(tmdb_id=tmdb_id).update(last_synced_at=timezone.now() - timedelta(days=days))


def test_oldest_first_within_the_limit(run_command, tmdb, settings):
    # given five complete movies of different ages, fetched one at a time (so in order)
    settings.SYNC_CONCURRENCY = 1
    run_command("sync_movie", "1", "2", "3", "4", "5")
    for tmdb_id, days in {1: 3, 2: 30, 3: 10, 4: 20, 5: 8}.items():
        _age(tmdb_id, days)
    tmdb.requests.clear()

    # when
    result = run_command("refresh_stale", "--older-than", "7d", "--limit", "2")

    # then
    assert result.code == 0, result.err
    assert result.summary["unchanged"] == 2
    assert [r.path for r in tmdb.requests] == ["movie/2", "movie/4"]
    assert "2 stale movie(s) selected" in result.err


def test_unchanged_movies_are_stamped_so_the_next_run_moves_on(run_command, tmdb):
    # given
    run_command("sync_movie", "1", "2")
    _age(1, 9)
    _age(2, 9)

    # when
    first = run_command("refresh_stale", "--older-than", "7d", "--limit", "10")
    second = run_command("refresh_stale", "--older-than", "7d", "--limit", "10")

    # then
    assert first.summary["unchanged"] == 2
    assert second.summary == {
        **second.summary,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "upstream_calls": 0,
    }


def test_failed_movie_waits_for_its_back_off(run_command, tmdb):
    # given movie 3 failed, with its next attempt in the future
    run_command("sync_movie", "3", "4")
    tmdb.fail("movie/3", status=503, times=None)
    run_command("sync_movie", "3")
    tmdb.clear_faults()
    assert Movie.objects.get(tmdb_id=3).sync_status == SyncStatus.FAILED

    # when
    early = run_command("refresh_stale", "--older-than", "7d")

    # then not retried yet
    assert early.summary["upstream_calls"] == 0

    # and once the back-off has passed it is retried and healed
    Movie.objects.filter(tmdb_id=3).update(next_sync_attempt_at=timezone.now() - timedelta(seconds=1))
    due = run_command("refresh_stale", "--older-than", "7d")
    assert due.summary["updated"] == 1
    assert Movie.objects.get(tmdb_id=3).sync_status == SyncStatus.COMPLETE


def test_list_rows_never_synced_in_full_come_first(run_command, tmdb):
    # given movie 1's relations stored 2 and 3 as list rows only
    run_command("sync_movie", "1")
    _age(1, 100)

    # when
    result = run_command("refresh_stale", "--limit", "2")

    # then the two partial rows (never synced, so counted as created) go first
    assert result.summary["created"] == 2
    assert Movie.objects.get(tmdb_id=2).sync_status == SyncStatus.COMPLETE
    assert Movie.objects.get(tmdb_id=1).last_synced_at < timezone.now() - timedelta(days=99)


def test_gone_movies_are_checked_again_and_restored_when_tmdb_has_them(run_command, tmdb):
    # given a movie marked gone a month ago that TMDb serves again
    run_command("sync_movie", "4")
    Movie.objects.filter(tmdb_id=4).update(is_active=False, sync_status=SyncStatus.GONE)
    _age(4, 30)

    # when
    result = run_command("refresh_stale")

    # then it is shown again
    assert result.summary["upstream_calls"] == 1
    movie = Movie.objects.get(tmdb_id=4)
    assert (movie.is_active, movie.sync_status) == (True, SyncStatus.COMPLETE)


def test_a_movie_still_gone_stays_gone_and_waits_a_full_period(run_command, tmdb):
    # given a movie marked gone a month ago that TMDb still does not have
    run_command("sync_movie", "4")
    Movie.objects.filter(tmdb_id=4).update(is_active=False, sync_status=SyncStatus.GONE)
    _age(4, 30)
    tmdb.movies.pop(4)

    # when
    first = run_command("refresh_stale")
    second = run_command("refresh_stale")

    # then TMDb was asked once; the row stays hidden
    assert first.summary["upstream_calls"] == 1
    assert second.summary["upstream_calls"] == 0
    assert not Movie.objects.get(tmdb_id=4).is_active
