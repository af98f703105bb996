"""sync_changes: 14-day windows, paging, only held movies, the stored point, resuming after failures."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.movies.models import Movie
from apps.movies.sync import jobs
from apps.movies.sync.jobs import CHANGES_STATE, change_windows, split_window
from apps.movies.sync.models import SyncState
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db


def _changes_requests(double):
    return [r.query for r in double.requests if r.path == "movie/changes"]


def test_change_windows_are_at_most_14_days_and_cover_the_range():
    # when
    windows = list(change_windows(date(2026, 1, 1), date(2026, 2, 5)))

    # then
    assert windows[0][0] == date(2026, 1, 1) and windows[-1][1] == date(2026, 2, 5)
    assert all(end - start <= timedelta(days=14) for start, end in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))


def test_split_window_halves_share_their_middle_day():
    # when
    halves = split_window(date(2026, 1, 1), date(2026, 1, 15))

    # then
    assert halves == [(date(2026, 1, 1), date(2026, 1, 8)), (date(2026, 1, 8), date(2026, 1, 15))]
    assert split_window(date(2026, 1, 1), date(2026, 1, 3)) == [
        (date(2026, 1, 1), date(2026, 1, 2)),
        (date(2026, 1, 2), date(2026, 1, 3)),
    ]


def test_only_movies_we_hold_are_refetched(run_command, tmdb):
    # given we hold 4 and 5; TMDb reports 3, 4 and 5 changed
    run_command("sync_movie", "4", "5")
    tmdb.set_list("changes", [3, 4, 5])
    tmdb.movies[4]["overview"] = "A new overview."
    tmdb.requests.clear()

    # when
    result = run_command("sync_changes")

    # then
    assert result.code == 0, result.err
    assert (result.summary["updated"], result.summary["unchanged"]) == (1, 1)
    assert tmdb.count("movie/4") == 1 and tmdb.count("movie/5") == 1 and tmdb.count("movie/3") == 0
    assert not Movie.objects.filter(tmdb_id=3).exists()
    assert Movie.objects.get(tmdb_id=4).overview == "A new overview."


def test_changes_are_paged(run_command, tmdb_double):
    # given 45 changed movies (three pages of 20), all held
    tmdb_double.add_movies(45, start=300)
    ids = [300 + n for n in range(45)]
    tmdb_double.set_list("changes", ids)
    Movie.objects.bulk_create([Movie(tmdb_id=i, title=f"old {i}") for i in ids])

    # when
    result = run_command("sync_changes")

    # then
    assert result.code == 0
    assert [q["page"] for q in _changes_requests(tmdb_double)] == ["1", "2", "3"]
    assert result.summary["updated"] == 45


def test_first_run_without_a_point_starts_a_day_back_and_stores_today(run_command, tmdb):
    # given
    tmdb.set_list("changes", [])
    today = timezone.now().date()

    # when
    result = run_command("sync_changes")

    # then
    assert result.code == 0
    (query,) = _changes_requests(tmdb)
    assert (query["start_date"], query["end_date"]) == (
        (today - timedelta(days=1)).isoformat(),
        today.isoformat(),
    )
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == today


def test_next_run_resumes_from_the_stored_point(run_command, tmdb):
    # given
    stored = timezone.now() - timedelta(days=20)
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=stored)
    tmdb.set_list("changes", [])

    # when
    result = run_command("sync_changes")

    # then
    assert result.code == 0
    queries = _changes_requests(tmdb)
    assert queries[0]["start_date"] == stored.date().isoformat()
    assert len(queries) == 2  # 20 days: two windows
    for query in queries:
        span = date.fromisoformat(query["end_date"]) - date.fromisoformat(query["start_date"])
        assert span <= timedelta(days=14)
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == timezone.now().date()


def test_since_overrides_the_stored_point(run_command, tmdb):
    # given
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=timezone.now() - timedelta(days=2))
    tmdb.set_list("changes", [])
    since = timezone.now().date() - timedelta(days=30)

    # when
    run_command("sync_changes", "--since", since.isoformat())

    # then
    queries = _changes_requests(tmdb)
    assert queries[0]["start_date"] == since.isoformat()
    assert len(queries) == 3


def test_a_failed_window_keeps_the_point_and_the_next_run_resumes_there(run_command, tmdb):
    # given 20 days to catch up; the second window's listing fails
    stored = timezone.now() - timedelta(days=20)
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=stored)
    tmdb.set_list("changes", [])
    second_window_start = (stored.date() + timedelta(days=14)).isoformat()

    original_respond = tmdb.respond

    def respond(path, query):
        if path == "movie/changes" and query.get("start_date") == second_window_start:
            return 503, {"status_code": 46, "status_message": "maintenance"}
        return original_respond(path, query)

    tmdb.respond = respond
    try:
        # when
        result = run_command("sync_changes")
    finally:
        tmdb.respond = original_respond

    # then the first window is remembered, the second is not
    assert result.code == 1
    assert "will resume from" in result.err
    point = SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date()
    assert point.isoformat() == second_window_start

    # and the next run starts exactly there
    tmdb.requests.clear()
    rerun = run_command("sync_changes")
    assert rerun.code == 0
    assert _changes_requests(tmdb)[0]["start_date"] == second_window_start


def test_movies_reported_gone_are_soft_deleted(run_command, tmdb):
    # given
    run_command("sync_movie", "5")
    del tmdb.movies[5]
    tmdb.set_list("changes", [5])

    # when
    result = run_command("sync_changes")

    # then
    assert result.code == 0
    movie = Movie.objects.get(tmdb_id=5)
    assert (movie.is_active, movie.sync_status) == (False, SyncStatus.GONE)


def test_dry_run_does_not_move_the_point(run_command, tmdb):
    # given
    tmdb.set_list("changes", [])

    # when
    result = run_command("sync_changes", "--dry-run")

    # then
    assert result.code == 0
    assert not SyncState.objects.exists()


# --- catching up after a gap -------------------------------------------------------------------
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # far from midnight: the run's "today" is fixed
TODAY = NOON.date()


def _windows(double) -> list[tuple[str, str]]:
    """The (start_date, end_date) of every window read, in order (its first page only)."""
    return [(q["start_date"], q["end_date"]) for q in _changes_requests(double) if q["page"] == "1"]


def _days_back(*days: int) -> list[str]:
    return [(TODAY - timedelta(days=n)).isoformat() for n in days]


def _answer_changes(double, monkeypatch, answer) -> None:
    """`answer(start, end, page)` replies to /movie/changes (None: the double's own answer)."""
    original = double.respond

    def respond(path, query):
        if path == "movie/changes":
            start, end = (date.fromisoformat(query[key]) for key in ("start_date", "end_date"))
            reply = answer(start, end, query["page"])
            if reply is not None:
                return reply
        return original(path, query)

    monkeypatch.setattr(double, "respond", respond)


def _sync_changes_at_noon(run_command):
    with time_machine.travel(NOON):
        return run_command("sync_changes")


def test_a_40_day_gap_is_read_in_every_14_day_window_up_to_today(run_command, tmdb):
    # given the stored point is 40 days old
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOON - timedelta(days=40))
    tmdb.set_list("changes", [])

    # when
    result = _sync_changes_at_noon(run_command)

    # then
    assert result.code == 0, result.err
    assert _windows(tmdb) == [
        tuple(_days_back(40, 26)),
        tuple(_days_back(26, 12)),
        tuple(_days_back(12, 0)),
    ]
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == TODAY


def test_a_catch_up_stopped_in_its_third_window_resumes_there(run_command, tmdb, monkeypatch):
    # given a 40-day gap; the third window fails
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOON - timedelta(days=40))
    tmdb.set_list("changes", [])
    third = TODAY - timedelta(days=12)
    _answer_changes(
        tmdb, monkeypatch, lambda start, end, page: (503, {"status_code": 46}) if start == third else None
    )

    # when
    stopped = _sync_changes_at_noon(run_command)
    monkeypatch.undo()

    # then the two windows read are remembered
    assert stopped.code == 1
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == third

    # and the next run reads only what is left
    tmdb.requests.clear()
    resumed = _sync_changes_at_noon(run_command)
    assert resumed.code == 0, resumed.err
    assert _windows(tmdb) == [tuple(_days_back(12, 0))]


def test_a_movie_listed_in_several_windows_is_refetched_once(run_command, tmdb):
    # given we hold 4; TMDb lists it in every window of a 40-day gap, with a new overview
    run_command("sync_movie", "4")
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOON - timedelta(days=40))
    tmdb.set_list("changes", [4])
    tmdb.movies[4]["overview"] = "Changed upstream."
    tmdb.requests.clear()

    # when
    result = _sync_changes_at_noon(run_command)

    # then
    assert result.code == 0, result.err
    assert len(_windows(tmdb)) == 3
    assert tmdb.count("movie/4") == 1
    assert Movie.objects.get(tmdb_id=4).overview == "Changed upstream."


def test_a_window_listing_more_pages_than_tmdb_serves_is_cut_in_halves(run_command, tmdb, monkeypatch):
    # given a 14-day gap whose full listing is 600 pages long, while each week fits
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOON - timedelta(days=14))
    tmdb.set_list("changes", [])

    def answer(start, end, page):
        if (end - start).days > 7:
            return 200, {"page": 1, "results": [], "total_pages": 600, "total_results": 60000}
        return None

    _answer_changes(tmdb, monkeypatch, answer)

    # when
    result = _sync_changes_at_noon(run_command)

    # then
    assert result.code == 0, result.err
    assert _windows(tmdb) == [
        tuple(_days_back(14, 0)),
        tuple(_days_back(14, 7)),
        tuple(_days_back(7, 0)),
    ]
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == TODAY


def test_a_one_day_window_past_tmdbs_last_page_is_read_to_it_and_says_so(run_command, tmdb, monkeypatch):
    # given one day whose listing is one page longer than TMDb serves (a last page of 5 here, not 500)
    monkeypatch.setattr(jobs, "CHANGES_MAX_PAGE", 5)
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOON - timedelta(days=1))
    listing = {"results": [], "total_pages": 6, "total_results": 600}
    _answer_changes(tmdb, monkeypatch, lambda start, end, page: (200, {"page": int(page), **listing}))

    # when
    result = _sync_changes_at_noon(run_command)

    # then
    assert result.code == 0, result.err
    assert [int(q["page"]) for q in _changes_requests(tmdb)] == [1, 2, 3, 4, 5]
    assert "6 pages listed, TMDb serves 5" in result.err
    assert SyncState.objects.get(name=CHANGES_STATE).last_completed_at.date() == TODAY
