"""The admin's catalog hooks: the sync function, the resync loop and task, cache invalidation."""

import pytest

from apps.movies import admin_actions, tasks
from apps.movies.services import MovieService
from apps.movies.tests.factories import MovieFactory
from core import cache
from core.cache import keys as cache_keys

pytestmark = pytest.mark.django_db


def test_sync_movie_calls_the_catalog_service_by_keyword(monkeypatch):
    # given
    calls = []
    monkeypatch.setattr(
        MovieService,
        "sync_movie_from_tmdb",
        lambda self, *, tmdb_id: calls.append(tmdb_id) or "movie",
        raising=False,  # the catalog issue adds it; this pins the contract
    )
    # when
    result = admin_actions.sync_movie(550)
    # then
    assert result == "movie"
    assert calls == [550]


def test_resync_goes_on_after_a_failure(monkeypatch):
    # given (each resync's invalidation is the catalog writer's: see test_writer_invalidation)
    def sync(tmdb_id):
        if tmdb_id == 2:
            raise ValueError("upstream 503")

    # when
    outcome = admin_actions.resync_movies([1, 2, 3], sync=sync)
    # then
    assert outcome.succeeded == [1, 3]
    assert outcome.failed == {2: "upstream 503"}
    assert outcome.as_counts() == {"succeeded": 2, "failed": 1}


def test_an_error_without_a_message_is_reported_by_its_class():
    # given
    def sync(tmdb_id):
        raise TimeoutError

    # when
    outcome = admin_actions.resync_movies([7], sync=sync)
    # then
    assert outcome.failed == {7: "TimeoutError"}


def test_the_resync_task_reports_succeeded_and_failed_counts(tmdb_double):
    # given: one movie TMDb knows, one it does not
    tmdb_double.add_movie(10, title="Known")
    # when
    counts = tasks.resync_movies(["10", 11])
    # then
    assert (counts["succeeded"], counts["failed"]) == (1, 1)
    assert tasks.resync_movies.name == "movies.resync_movies"


def test_invalidation_bumps_the_movies_namespaces_and_the_lists_only():
    # given
    from core.cache import keys as cache_keys

    before = {
        name: cache.namespace_version(name)
        for name in (
            cache_keys.movie_namespace(5),
            cache_keys.movie_namespace(6),
            cache_keys.NS_CATALOG_LISTS,
        )
    }
    # when
    admin_actions.invalidate_movie_caches([5])
    # then
    after = {name: cache.namespace_version(name) for name in before}
    assert after[cache_keys.movie_namespace(5)] > before[cache_keys.movie_namespace(5)]
    assert after[cache_keys.NS_CATALOG_LISTS] > before[cache_keys.NS_CATALOG_LISTS]
    assert after[cache_keys.movie_namespace(6)] == before[cache_keys.movie_namespace(6)]


def test_deleting_a_movie_in_the_admin_invalidates_its_caches(admin_client, namespace_bumps):
    # given
    movie = MovieFactory(tmdb_id=4321)
    # when
    response = admin_client.post(f"/admin/movies/movie/{movie.pk}/delete/", {"post": "yes"})
    # then
    assert response.status_code == 302
    assert cache_keys.movie_namespace(4321) in namespace_bumps
