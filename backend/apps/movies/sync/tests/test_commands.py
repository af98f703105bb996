"""sync_movie, sync_movies and sync_genres: idempotency, exit statuses, dry runs, crashes, 429s."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.movies.models import Genre, Movie, MovieGenre, MovieRecommendation
from apps.movies.services import writer
from apps.movies.sync.models import SyncLock
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "movies": list(
            Movie.objects.order_by("tmdb_id").values_list("tmdb_id", "updated_at", "last_synced_at")
        ),
        "genres": MovieGenre.objects.count(),
        "relations": MovieRecommendation.objects.count(),
    }


def test_sync_movie_stores_full_details_in_one_call_each(run_command, tmdb):
    # when
    result = run_command("sync_movie", "1", "4")

    # then
    assert result.code == 0, result.err
    assert result.summary["created"] == 2
    assert result.summary["upstream_calls"] == 2
    movie = Movie.objects.get(tmdb_id=1)
    assert movie.sync_status == SyncStatus.COMPLETE
    assert movie.metadata["credits"]["cast"]
    assert set(movie.outgoing_recommendations.values_list("recommended_movie__tmdb_id", flat=True)) == {2, 3}


def test_second_run_changes_nothing(run_command, tmdb):
    # given
    run_command("sync_movie", "1", "2", "3")
    before = _snapshot()

    # when
    result = run_command("sync_movie", "1", "2", "3")

    # then
    assert result.code == 0
    assert result.summary == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "failed": 0,
        "upstream_calls": 3,
        "rate_limited": 0,
    }
    assert _snapshot() == before


def test_a_change_on_tmdb_updates_only_that_movie(run_command, tmdb):
    # given
    run_command("sync_movie", "4", "5")
    untouched = Movie.objects.get(tmdb_id=5).updated_at
    tmdb.movies[4]["runtime"] = 150

    # when
    result = run_command("sync_movie", "4", "5")

    # then
    assert (result.summary["updated"], result.summary["unchanged"]) == (1, 1)
    assert Movie.objects.get(tmdb_id=4).runtime == 150
    assert Movie.objects.get(tmdb_id=5).updated_at == untouched


def test_lock_held_exits_2_at_once(run_command, tmdb):
    # given another live run of the same job
    SyncLock.objects.create(
        name="sync_movies:popular",
        token="other",
        host="another-host",
        pid=4242,
        acquired_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=5),
    )

    # when
    result = run_command("sync_movies", "--list", "popular")

    # then
    assert result.code == 2
    assert "sync_movies:popular is already running (pid 4242 on another-host" in result.err
    assert result.summary["upstream_calls"] == 0
    assert tmdb.request_count == 0


def test_no_credentials_exits_2(run_command, settings):
    # given
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_ACCESS_TOKEN = ""

    # when
    result = run_command("sync_movie", "1")

    # then
    assert result.code == 2
    assert "No TMDb credentials" in result.err
    assert result.summary["upstream_calls"] == 0


def test_unauthorized_exits_2_and_blames_no_movie(run_command, tmdb, settings):
    # given
    run_command("sync_movie", "1")
    settings.TMDB_API_KEY = "revoked-key"

    # when
    result = run_command("sync_movie", "1", "2", "3")

    # then
    assert result.code == 2
    assert "TMDb refused the credentials" in result.err
    movie = Movie.objects.get(tmdb_id=1)
    assert movie.sync_status == SyncStatus.COMPLETE and movie.last_sync_error == ""
    assert not SyncLock.objects.exists()


def test_some_failures_exit_1_with_the_error_on_the_row(run_command, tmdb):
    # given
    run_command("sync_movie", "1", "2")
    tmdb.fail("movie/2", status=503, times=None)

    # when
    result = run_command("sync_movie", "1", "2")

    # then
    assert result.code == 1
    assert result.summary["failed"] == 1 and result.summary["unchanged"] == 1
    failed = Movie.objects.get(tmdb_id=2)
    assert failed.sync_status == SyncStatus.FAILED
    assert failed.sync_retries == 1
    assert "TMDbUnavailable" in failed.last_sync_error
    assert failed.next_sync_attempt_at > timezone.now()
    assert "movie 2: failed" in result.err


def test_back_off_grows_with_each_failure_and_clears_on_success(run_command, tmdb, settings):
    # given
    settings.SYNC_RETRY_BASE_MINUTES = 10
    run_command("sync_movie", "3")
    tmdb.fail("movie/3", status=500, times=None)

    # when
    run_command("sync_movie", "3")
    first = Movie.objects.get(tmdb_id=3).next_sync_attempt_at - timezone.now()
    run_command("sync_movie", "3")
    second = Movie.objects.get(tmdb_id=3).next_sync_attempt_at - timezone.now()

    # then
    assert timedelta(minutes=9) < first <= timedelta(minutes=10)
    assert timedelta(minutes=19) < second <= timedelta(minutes=20)

    # and when TMDb answers again
    tmdb.clear_faults()
    result = run_command("sync_movie", "3")
    movie = Movie.objects.get(tmdb_id=3)
    assert result.summary["updated"] == 1
    assert (movie.sync_status, movie.sync_retries, movie.last_sync_error, movie.next_sync_attempt_at) == (
        SyncStatus.COMPLETE,
        0,
        "",
        None,
    )


def test_unknown_movie_is_a_failure_without_a_row(run_command, tmdb):
    # when
    result = run_command("sync_movie", "1", "999")

    # then
    assert result.code == 1
    assert "movie 999: not found on TMDb" in result.err
    assert not Movie.objects.filter(tmdb_id=999).exists()


def test_movie_gone_from_tmdb_is_soft_deleted_once(run_command, tmdb):
    # given
    run_command("sync_movie", "4")
    del tmdb.movies[4]

    # when
    first = run_command("sync_movie", "4")
    second = run_command("sync_movie", "4")

    # then
    movie = Movie.objects.get(tmdb_id=4)
    assert (movie.is_active, movie.sync_status) == (False, SyncStatus.GONE)
    assert (first.code, first.summary["updated"]) == (0, 1)
    assert (second.code, second.summary["unchanged"]) == (0, 1)


def test_dry_run_fetches_and_reports_but_writes_nothing(run_command, tmdb):
    # given
    run_command("sync_movie", "1")
    tmdb.movies[1]["title"] = "Renamed"
    before = _snapshot()

    # when
    result = run_command("sync_movie", "1", "4", "--dry-run")

    # then
    assert result.code == 0
    assert (result.summary["created"], result.summary["updated"]) == (1, 1)
    assert "dry run: nothing was written" in result.out
    assert _snapshot() == before
    assert Movie.objects.get(tmdb_id=1).title == "Movie 1"
    assert not SyncLock.objects.exists()


def test_crash_mid_run_leaves_synced_movies_synced_and_none_half_written(run_command, tmdb, monkeypatch):
    # given a storage step that dies while writing the third movie (after its row was upserted)
    original = writer._replace_relations

    def dying(source_pk, ranked):
        if Movie.objects.get(pk=source_pk).tmdb_id == 3:
            raise RuntimeError("killed mid-write")
        return original(source_pk, ranked)

    monkeypatch.setattr(writer, "_replace_relations", dying)

    # when
    result = run_command("sync_movie", "1", "2", "3", "4")

    # then
    assert result.code == 1
    assert "unexpected error" in result.err
    complete = set(Movie.objects.filter(sync_status=SyncStatus.COMPLETE).values_list("tmdb_id", flat=True))
    assert {1, 2} <= complete and 3 not in complete
    assert not SyncLock.objects.exists()

    # and the next run finishes the job
    monkeypatch.setattr(writer, "_replace_relations", original)
    rerun = run_command("sync_movie", "1", "2", "3", "4")
    assert rerun.code == 0
    assert set(Movie.objects.filter(sync_status=SyncStatus.COMPLETE).values_list("tmdb_id", flat=True)) >= {
        1,
        2,
        3,
        4,
    }


def test_rate_limited_answers_are_retried_and_counted(run_command, tmdb):
    # given TMDb answers 429 to the first three detail requests
    tmdb.fail("movie/", status=429, retry_after=0, times=3)

    # when
    result = run_command("sync_movie", "1", "2", "3")

    # then
    assert result.code == 0, result.err
    assert result.summary["failed"] == 0
    assert result.summary["rate_limited"] == 3
    assert result.summary["upstream_calls"] == 6
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() >= 3


def test_a_movie_still_rate_limited_after_the_client_retries_is_tried_again(run_command, tmdb, settings):
    # given more 429s in a row than the client retries on its own (TMDB_MAX_RETRIES=2 in tests)
    settings.SYNC_CONCURRENCY = 1
    tmdb.fail("movie/5", status=429, retry_after=0, times=4)

    # when
    result = run_command("sync_movie", "5")

    # then
    assert result.code == 0, result.err
    assert result.summary["rate_limited"] == 4
    assert Movie.objects.get(tmdb_id=5).sync_status == SyncStatus.COMPLETE


def test_sync_movies_walks_the_list_pages(run_command, tmdb_double):
    # given 25 popular movies: two TMDb pages
    tmdb_double.add_movies(25, start=100)

    # when
    result = run_command("sync_movies", "--list", "popular", "--pages", "3")

    # then
    assert result.code == 0, result.err
    assert result.summary["created"] == 25
    assert tmdb_double.count("movie/popular") == 2
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 25


def test_sync_movies_trending_uses_the_window(run_command, tmdb):
    # when
    result = run_command("sync_movies", "--list", "trending", "--window", "week")

    # then
    assert result.code == 0
    assert tmdb.count("trending/movie/week") == 1
    # 2 and 3 were first stored as list rows by movie 1's recommendations, then completed.
    assert result.summary["created"] + result.summary["updated"] == 5
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 5


def test_sync_movies_list_failure_exits_1(run_command, tmdb):
    # given
    tmdb.fail("movie/top_rated", status=503, times=None)

    # when
    result = run_command("sync_movies", "--list", "top_rated")

    # then
    assert result.code == 1
    assert "top_rated page 1: failed" in result.err


def test_sync_genres_is_idempotent_and_follows_renames(run_command, tmdb):
    # when
    first = run_command("sync_genres")
    second = run_command("sync_genres")

    # then
    assert first.summary["created"] == 19
    assert second.summary == {**second.summary, "created": 0, "updated": 0, "unchanged": 19}

    # and when TMDb renames a genre
    from testing.tmdb import payloads as double

    original = double.GENRES[878]
    double.GENRES[878] = "Sci-Fi"
    try:
        third = run_command("sync_genres")
    finally:
        double.GENRES[878] = original
    assert third.summary["updated"] == 1
    assert Genre.objects.get(tmdb_id=878).name == "Sci-Fi"


def test_too_many_consecutive_upstream_failures_stop_the_run(run_command, tmdb_double, settings):
    # given TMDb down for every movie
    settings.SYNC_ABORT_AFTER_FAILURES = 3
    settings.SYNC_CONCURRENCY = 1
    tmdb_double.add_movies(10, start=200)
    tmdb_double.fail("movie/", status=503, times=None)

    # when
    result = run_command("sync_movie", *[str(200 + n) for n in range(10)])

    # then
    assert result.code == 1
    assert "Stopped after 3 consecutive TMDb failures" in result.err
    assert result.summary["failed"] == 3


def test_one_movie_tmdb_cannot_serve_does_not_fail_the_others(run_command, tmdb, settings):
    # given the client's fail-fast cooldown is on (as in production) and movie 2 always fails
    settings.TMDB_FAILURE_COOLDOWN = 30
    settings.SYNC_CONCURRENCY = 1
    tmdb.fail("movie/2", status=500, times=None)

    # when
    result = run_command("sync_movie", "1", "2", "3", "4", "5")

    # then only movie 2 failed
    assert result.code == 1
    assert result.summary["failed"] == 1
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 4


def test_sync_reads_tmdb_not_the_interactive_cache(run_command, tmdb):
    # given the interactive cache holds popular page 1 and movie 4's details, then TMDb changes both
    from core.services.tmdb import get_client

    get_client().movie_list("popular", page=1)
    get_client().movie_details(4)
    tmdb.add_movie(9, title="New on TMDb", popularity=99.0)
    tmdb.add_movie(4, title="Renamed on TMDb", popularity=float(46))
    tmdb.requests.clear()

    # when
    result = run_command("sync_movies", "--list", "popular", "--pages", "1")

    # then the run saw TMDb's current page and details
    assert result.code == 0
    assert tmdb.count("movie/popular") == 1
    assert Movie.objects.get(tmdb_id=9).title == "New on TMDb"
    assert Movie.objects.get(tmdb_id=4).title == "Renamed on TMDb"


def test_sigterm_stops_cleanly_with_a_summary_and_no_lock_left(run_command, tmdb, monkeypatch, settings):
    # given a SIGTERM that arrives while the third movie is being written
    import os
    import signal

    settings.SYNC_CONCURRENCY = 1
    original = writer.CatalogWriter.store_details

    def store(self, payload, **kwargs):
        if payload["id"] == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(self, payload, **kwargs)

    monkeypatch.setattr(writer.CatalogWriter, "store_details", store)

    # when
    result = run_command("sync_movie", "4", "5", "3", "1")

    # then
    assert result.code == 1
    assert "Stopped by SIGTERM" in result.err
    assert result.summary["created"] == 2
    complete = set(Movie.objects.filter(sync_status=SyncStatus.COMPLETE).values_list("tmdb_id", flat=True))
    assert complete == {4, 5}
    assert not SyncLock.objects.exists()
    assert signal.getsignal(signal.SIGTERM) is not None


def test_database_down_exits_2(run_command, tmdb, monkeypatch):
    # given
    from django.db import OperationalError

    from apps.movies.sync import locks

    def refuse(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(locks.JobLock, "acquire", refuse)

    # when
    result = run_command("sync_genres")

    # then
    assert result.code == 2
    assert "The database is unavailable" in result.err
    assert result.summary["upstream_calls"] == 0


def test_the_last_run_is_remembered_per_job(run_command, tmdb):
    # given
    from apps.movies.sync.models import SyncState

    # when
    run_command("sync_movies", "--list", "popular")
    run_command("sync_genres", "--dry-run")

    # then
    state = SyncState.objects.get(name="sync_movies:popular")
    # (one list page and five details: the details taught the catalog every genre the page names)
    assert state.last_summary.startswith("exit=0 created=5 updated=0 unchanged=0 failed=0 upstream_calls=6 ")
    assert state.last_run_finished_at >= state.last_run_started_at
    assert not SyncState.objects.filter(name="sync_genres").exists()


def test_sync_genres_with_tmdb_down_exits_1_and_a_task_would_retry(run_command, tmdb):
    # given
    tmdb.fail("genre/movie/list", status=503, times=None)

    # when
    result = run_command("sync_genres")

    # then
    assert result.code == 1
    assert "genre list: failed" in result.err
    assert not Genre.objects.exists()


def test_a_list_sync_makes_tmdbs_current_order_the_served_order(run_command, tmdb, api_client):
    # given readers were served popular in the old order (movie 1 first)
    assert api_client.get("/api/v1/movies/popular/").json()["data"][0]["id"] == 1
    # when TMDb's order changes and the list is synced
    tmdb.set_list("popular", [5, 4, 3, 2, 1])
    result = run_command("sync_movies", "--list", "popular")
    # then the next read follows TMDb's new order, without waiting for the page's TTL
    assert result.code == 0
    assert [m["id"] for m in api_client.get("/api/v1/movies/popular/").json()["data"]] == [5, 4, 3, 2, 1]
