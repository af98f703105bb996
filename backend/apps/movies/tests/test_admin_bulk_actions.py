"""Admin actions on the catalog: resync (inline and background), soft delete, cache invalidation."""

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from apps.movies import admin as movies_admin
from apps.movies import admin_actions
from apps.movies.models import Movie
from apps.movies.tests.factories import GenreFactory, MovieFactory
from core.adminsite.testing import client_for, make_staff
from core.cache import keys as cache_keys
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db

MOVIES_URL = reverse("admin:movies_movie_changelist")
GENRES_URL = reverse("admin:movies_genre_changelist")


@pytest.fixture
def sync_double(monkeypatch):
    """Stands in for MovieService().sync_movie_from_tmdb: records ids, fails for the ids in `failing`."""

    class SyncDouble:
        def __init__(self):
            self.calls: list[int] = []
            self.failing: set[int] = set()

        def __call__(self, tmdb_id: int):
            self.calls.append(tmdb_id)
            if tmdb_id in self.failing:
                raise RuntimeError(f"TMDb said no to {tmdb_id}")
            movie = Movie.objects.get(tmdb_id=tmdb_id)
            movie.sync_status = SyncStatus.COMPLETE
            movie.save(update_fields=["sync_status"])
            return movie

    double = SyncDouble()
    monkeypatch.setattr(admin_actions, "sync_movie", double)
    return double


def run_action(client, url: str, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_resync_of_a_few_movies_runs_inline_and_reports_counts(admin_client, sync_double):
    # given
    movies = MovieFactory.create_batch(3)
    sync_double.failing = {movies[2].tmdb_id}
    # when
    response = run_action(admin_client, MOVIES_URL, "resync_from_tmdb", movies)
    # then
    assert sorted(sync_double.calls) == sorted(movie.tmdb_id for movie in movies)
    shown = messages_of(response)
    assert "Resynced 2 movie(s) from TMDb." in shown
    assert any(text.startswith("1 movie(s) failed to resync") and "TMDb said no" in text for text in shown)
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 2


def test_resync_of_many_movies_runs_as_background_task(admin_client, tmdb_double, settings, monkeypatch):
    # given: the background task is the sync engine's, against the TMDb double; one movie keeps failing
    settings.ADMIN_RESYNC_INLINE_LIMIT = 5
    monkeypatch.setattr(admin_actions, "RESYNC_TASK_CHUNK", 4)
    movies = MovieFactory.create_batch(6)
    for movie in movies:
        tmdb_double.add_movie(movie.tmdb_id, title=movie.title)
    tmdb_double.fail(f"movie/{movies[0].tmdb_id}", status=500, times=1000)
    queued = []
    original_delay = movies_admin.tasks.resync_movies.delay
    monkeypatch.setattr(
        movies_admin.tasks.resync_movies, "delay", lambda ids: queued.append(ids) or original_delay(ids)
    )
    # when
    response = run_action(admin_client, MOVIES_URL, "resync_from_tmdb", movies)
    # then: two tasks (chunks of 4 and 2); eager Celery ran them, so the counts are known
    assert [len(ids) for ids in queued] == [4, 2]
    assert "Resync finished: 5 succeeded, 1 failed." in messages_of(response)


def test_resync_of_many_movies_with_a_real_broker_says_it_is_queued(admin_client, monkeypatch):
    # given
    movies = MovieFactory.create_batch(6)

    class Queued:
        id = "task-1"

    monkeypatch.setattr(movies_admin.tasks.resync_movies, "delay", lambda ids: Queued())
    # when
    response = run_action(admin_client, MOVIES_URL, "resync_from_tmdb", movies)
    # then
    assert any(text.startswith("Queued a background resync of 6 movies") for text in messages_of(response))


def test_resync_says_so_when_the_broker_is_down(admin_client, monkeypatch):
    # given
    movies = MovieFactory.create_batch(6)

    def refuse(ids):
        raise OperationalError("connection refused")

    monkeypatch.setattr(movies_admin.tasks.resync_movies, "delay", refuse)
    # when
    response = run_action(admin_client, MOVIES_URL, "resync_from_tmdb", movies)
    # then
    assert response.status_code == 200
    assert "Could not queue the resync: connection refused" in messages_of(response)


def test_mark_inactive_and_restore_movies(admin_client, namespace_bumps):
    # given
    movies = MovieFactory.create_batch(2)
    already_inactive = MovieFactory(is_active=False)
    # when
    hidden = run_action(admin_client, MOVIES_URL, "mark_inactive", [*movies, already_inactive])
    # then
    assert "2 movies marked inactive." in messages_of(hidden)
    assert Movie.objects.filter(is_active=False).count() == 3
    assert {cache_keys.movie_namespace(movie.tmdb_id) for movie in movies} <= set(namespace_bumps)
    assert cache_keys.movie_namespace(already_inactive.tmdb_id) not in namespace_bumps
    # when
    restored = run_action(admin_client, MOVIES_URL, "restore", movies[:1])
    # then
    assert "1 movie restored." in messages_of(restored)
    assert Movie.objects.get(pk=movies[0].pk).is_active


def test_invalidate_caches_action_drops_the_cached_detail_response(admin_client, api_client):
    # given: the anonymous detail response is cached, then the row changes behind the cache
    movie = MovieFactory(tmdb_id=603, title="Before")
    assert api_client.get("/api/v1/movies/603/")["X-Cache"].startswith("MISS")
    assert api_client.get("/api/v1/movies/603/")["X-Cache"].startswith("HIT")
    Movie.objects.filter(pk=movie.pk).update(title="After")
    # when
    response = run_action(admin_client, MOVIES_URL, "invalidate_caches", [movie])
    # then
    assert "Invalidated cached responses for 1 movie(s)." in messages_of(response)
    fresh = api_client.get("/api/v1/movies/603/")
    assert fresh["X-Cache"].startswith("MISS")
    assert fresh.json()["data"]["title"] == "After"


def test_actions_need_change_permission(sync_double):
    # given: a staff member who may only look
    movie = MovieFactory()
    client = client_for(make_staff(perms=("movies.view_movie",)))
    # when
    response = client.get(MOVIES_URL)
    run_action(client, MOVIES_URL, "resync_from_tmdb", [movie])
    # then
    assert response.status_code == 200
    assert response.context["action_form"] is None or "resync_from_tmdb" not in str(
        response.context["action_form"].fields["action"].choices
    )
    assert sync_double.calls == []


def test_genre_mark_inactive(admin_client):
    # given
    genre = GenreFactory()
    # when
    response = run_action(admin_client, GENRES_URL, "mark_inactive", [genre])
    # then
    assert "1 genre marked inactive." in messages_of(response)
    genre.refresh_from_db()
    assert not genre.is_active
