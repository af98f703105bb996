"""Concurrent imports of one user against PostgreSQL: one is accepted, the other gets 409; a task
delivered twice runs once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.favorites.tests.factories import UserFactory
from apps.history.models import Viewing
from apps.imports import views
from apps.imports.models import Import, ImportRow, ImportStatus
from apps.imports.runner import ImportRunner
from apps.movies.tests.factories import MovieFactory

from .conftest import upload

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
THREADS = 8


def in_threads(work, count: int = THREADS) -> list:
    start = threading.Barrier(count)

    def run(index):
        try:
            start.wait()
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_two_concurrent_imports_for_one_user_one_is_accepted(monkeypatch):
    # given: the task is not run (the import stays queued, as with a busy worker)
    from apps.imports import tasks

    monkeypatch.setattr(tasks.run_import, "delay", lambda import_id: None)
    user = UserFactory()
    view, factory = views.ImportCollectionApi.as_view(), APIRequestFactory()

    def post(index) -> int:
        request = factory.post(
            "/api/v1/imports/",
            {"source": "csv", "file": upload(f"{index}.csv", b"tmdb_id,title,watched_on\n1,A,2024-01-01\n")},
            format="multipart",
        )
        force_authenticate(request, user=user)
        return view(request).status_code

    # when
    statuses = Counter(in_threads(post))
    # then
    assert statuses == Counter({202: 1, 409: THREADS - 1})
    assert Import.objects.filter(user=user).count() == 1


class KnownMovies:
    def __init__(self, movie):
        self.movie = movie

    def get_movie(self, *, tmdb_id: int):
        return self.movie


def test_a_task_delivered_twice_runs_once():
    # given
    user, movie = UserFactory(), MovieFactory()
    upload_ = Import.objects.create(user=user, source="csv", total_rows=1)
    ImportRow.objects.create(
        upload=upload_,
        position=1,
        kind="viewing",
        data={"tmdb_id": movie.tmdb_id, "watched_on": "2024-01-01"},
    )
    # when
    results = in_threads(lambda _: ImportRunner(import_id=upload_.pk, movies=KnownMovies(movie)).run(), 4)
    # then
    assert sorted(result["claimed"] for result in results) == [False, False, False, True]
    assert Import.objects.get(pk=upload_.pk).status == ImportStatus.DONE
    assert Viewing.objects.filter(user=user).count() == 1
