"""GET favorites/stats/: the aggregates, cached per user and invalidated by every change."""

import pytest

from apps.favorites.caching import stats_key, user_namespace
from apps.movies.tests.factories import GenreFactory, MovieFactory
from core import cache
from core.cache import layers

from .conftest import SyncingMovies
from .factories import FavoriteFactory, WatchlistItemFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/favorites/stats/"


def test_stats_content(client, user, other_user):
    # given
    drama, crime = GenreFactory(tmdb_id=18, name="Drama"), GenreFactory(tmdb_id=80, name="Crime")
    FavoriteFactory(
        user=user,
        user_rating=9,
        movie=MovieFactory(genres=[drama, crime], release_date="1972-03-14", runtime=175),
    )
    FavoriteFactory(
        user=user, user_rating=6, movie=MovieFactory(genres=[drama], release_date="1994-09-23", runtime=142)
    )
    FavoriteFactory(
        user=user, user_rating=None, movie=MovieFactory(genres=[], release_date=None, runtime=None)
    )
    FavoriteFactory(user=user, user_rating=1, is_active=False)  # removed: not counted
    FavoriteFactory(user=other_user, user_rating=2)  # someone else's
    WatchlistItemFactory(user=user)
    # when
    response = client.get(URL)
    # then
    stats = response.json()["data"]
    assert response["Cache-Control"] == "private, no-store"
    assert stats["count"] == 3
    assert stats["rated_count"] == 2
    assert stats["average_rating"] == 7.5
    assert len(stats["rating_histogram"]) == 10
    assert {bucket["rating"]: bucket["count"] for bucket in stats["rating_histogram"]}[9] == 1
    assert sum(bucket["count"] for bucket in stats["rating_histogram"]) == 2
    assert stats["top_genres"] == [
        {"id": 18, "name": "Drama", "count": 2},
        {"id": 80, "name": "Crime", "count": 1},
    ]
    assert stats["by_decade"] == [
        {"decade": 1970, "count": 1},
        {"decade": 1990, "count": 1},
        {"decade": None, "count": 1},
    ]
    assert stats["total_runtime_minutes"] == 317
    assert stats["watchlist_count"] == 1


def test_empty_stats(client):
    stats = client.get(URL).json()["data"]
    assert stats["count"] == 0
    assert stats["average_rating"] is None
    assert stats["total_runtime_minutes"] == 0
    assert stats["top_genres"] == [] and stats["by_decade"] == []


def test_stats_are_served_from_the_cache(client, user, django_assert_num_queries):
    # given
    FavoriteFactory(user=user, user_rating=8)
    client.get(URL)
    # when / then: the second read touches no database table
    with django_assert_num_queries(0):
        stats = client.get(URL).json()["data"]
    assert stats["count"] == 1
    assert cache.get(stats_key(user.pk)) is not None


def test_a_change_made_through_another_process_shows_on_the_next_read(client, user, settings):
    # given cached stats, and catalog versions that may be reused for a long time
    settings.CACHE_NAMESPACE_L1_TTL = 600
    FavoriteFactory(user=user)
    assert client.get(URL).json()["data"]["count"] == 1
    # when another worker process records a second favorite (its bump reaches Redis, not this process)
    FavoriteFactory(user=user)
    layers.l2_call("incr", cache.keys.namespace(user_namespace(user.pk)))
    # then this process sees it on the very next read: per-user versions are never reused
    assert client.get(URL).json()["data"]["count"] == 2


def test_stats_cache_is_per_user(client, other_client, user, other_user):
    FavoriteFactory(user=user)
    assert client.get(URL).json()["data"]["count"] == 1
    assert other_client.get(URL).json()["data"]["count"] == 0


def _count_and_average(client) -> tuple:
    stats = client.get(URL).json()["data"]
    return stats["count"], stats["average_rating"]


def test_stats_follow_add_patch_delete_and_restore(client, user, use_movies):
    # given
    use_movies(SyncingMovies())
    movie = MovieFactory()
    assert _count_and_average(client) == (0, None)
    # when / then: add
    favorite_id = client.post("/api/v1/favorites/", {"movie_id": movie.tmdb_id, "user_rating": 4}).json()[
        "data"
    ]["id"]
    assert _count_and_average(client) == (1, 4.0)
    # patch
    client.patch(f"/api/v1/favorites/{favorite_id}/", {"user_rating": 8})
    assert _count_and_average(client) == (1, 8.0)
    # delete
    client.delete(f"/api/v1/favorites/{favorite_id}/")
    assert _count_and_average(client) == (0, None)
    # restore
    client.post("/api/v1/favorites/", {"movie_id": movie.tmdb_id})
    assert _count_and_average(client) == (1, 8.0)


def test_watchlist_changes_invalidate_stats_too(client, user, use_movies):
    use_movies(SyncingMovies())
    assert client.get(URL).json()["data"]["watchlist_count"] == 0
    client.post("/api/v1/watchlist/", {"movie_id": MovieFactory().tmdb_id})
    assert client.get(URL).json()["data"]["watchlist_count"] == 1


def test_a_change_by_one_user_keeps_the_others_cache(
    client, other_client, other_user, use_movies, django_assert_num_queries
):
    # given
    use_movies(SyncingMovies())
    FavoriteFactory(user=other_user)
    other_client.get(URL)
    # when
    client.post("/api/v1/favorites/", {"movie_id": MovieFactory().tmdb_id})
    # then
    with django_assert_num_queries(0):
        assert other_client.get(URL).json()["data"]["count"] == 1


def test_adding_an_existing_favorite_keeps_the_cache(client, user, use_movies, django_assert_num_queries):
    use_movies(SyncingMovies())
    favorite = FavoriteFactory(user=user)
    client.get(URL)
    client.post("/api/v1/favorites/", {"movie_id": favorite.movie.tmdb_id})
    with django_assert_num_queries(0):
        client.get(URL)


def test_anonymous_stats_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_a_cache_outage_does_not_fail_a_write(client, use_movies, monkeypatch, caplog):
    # given: the cache cannot be written (as with Redis down)
    use_movies(SyncingMovies())

    def unavailable(name):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "bump_namespace", unavailable)
    # when
    response = client.post("/api/v1/favorites/", {"movie_id": MovieFactory().tmdb_id})
    # then
    assert response.status_code == 201
    assert "Could not invalidate cache namespace" in caplog.text
