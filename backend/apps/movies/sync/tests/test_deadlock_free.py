"""The catalog writer is deadlock-free by construction: parallel sync of hundreds of movies whose
related lists overlap as on TMDb, and concurrent anonymous reads whose read-through writes meet."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from apps.movies.models import Movie, MovieGenre, MovieRecommendation
from apps.movies.sync.movies import parallel_writes
from core.mixins.models import SyncStatus
from testing.tmdb.catalog import seed_catalog

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class _Conflicts(logging.Handler):
    """Every log line that mentions a deadlock or a retried write conflict, from any thread."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "deadlock" in message.lower() or "write conflict" in message:
            self.lines.append(message)


@pytest.fixture
def conflicts():
    handler = _Conflicts()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(previous)


def test_parallel_sync_of_overlapping_movies_has_no_conflict(run_command, tmdb_double, settings, conflicts):
    # given 300 movies whose recommendations and similar lists overlap heavily (blockbusters in
    # everyone's lists), and six writer threads
    settings.SYNC_PARALLEL_WRITES = True
    settings.SYNC_CONCURRENCY = 6
    catalog = seed_catalog(tmdb_double, movies=300)
    assert parallel_writes()

    # when
    first = run_command("sync_movies", "--list", "popular", "--pages", "15")
    second = run_command("sync_movies", "--list", "popular", "--pages", "15")

    # then every movie was written once, with no deadlock and no retried conflict anywhere
    assert first.code == 0, first.err
    assert (first.summary["created"] + first.summary["updated"], first.summary["failed"]) == (300, 0)
    assert conflicts == []
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 300
    assert MovieRecommendation.objects.count() == sum(
        len(tmdb_double.movies[i]["_recommendations"]) + len(tmdb_double.movies[i]["_similar"])
        for i in catalog.ids
    )
    # and each movie's genres are TMDb's, in TMDb's order
    stored = {}
    for tmdb_id, genre_id in MovieGenre.objects.order_by("movie__tmdb_id", "position").values_list(
        "movie__tmdb_id", "genre__tmdb_id"
    ):
        stored.setdefault(tmdb_id, []).append(genre_id)
    assert stored == catalog.genres
    # and a rerun writes nothing
    assert second.code == 0
    assert (second.summary["created"], second.summary["failed"], second.summary["unchanged"]) == (0, 0, 300)


def test_concurrent_reads_that_write_never_deadlock_or_503(tmdb_double, settings, conflicts):
    # given a cold catalog: every list page and every detail read stores rows, and the rows overlap
    settings.TMDB_RATE_LIMIT = 10_000.0
    catalog = seed_catalog(tmdb_double, movies=200)
    paths = [f"/api/v1/movies/{kind}/?page={page}" for kind in ("popular", "top-rated") for page in (1, 2, 3)]
    paths += [f"/api/v1/movies/{tmdb_id}/" for tmdb_id in catalog.popular(60)]
    paths += [f"/api/v1/movies/{tmdb_id}/similar/" for tmdb_id in catalog.popular(20)]
    statuses: list[int] = []
    lock = threading.Lock()

    def read(path: str) -> None:
        try:
            status = Client().get(path).status_code
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    # when 8 readers fetch them all at once, twice over
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(read, paths * 2))

    # then
    assert sorted(set(statuses)) == [200]
    assert conflicts == []
    assert (
        Movie.objects.filter(tmdb_id__in=catalog.popular(60), sync_status=SyncStatus.COMPLETE).count() == 60
    )
