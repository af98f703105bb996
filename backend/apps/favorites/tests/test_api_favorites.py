"""Favorites-only behaviour: the user's rating (add, patch, filter, order)."""

import pytest

from apps.movies.tests.factories import MovieFactory

from .conftest import SyncingMovies
from .factories import FavoriteFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/favorites/"


def test_add_with_a_rating(client, use_movies):
    use_movies(SyncingMovies())
    movie = MovieFactory()
    response = client.post(URL, {"movie_id": movie.tmdb_id, "user_rating": 10}, format="json")
    assert response.status_code == 201
    assert response.json()["data"]["user_rating"] == 10


@pytest.mark.parametrize("rating", [0, 11, "ten", 7.5])
def test_rating_outside_1_to_10_is_400(client, use_movies, rating):
    use_movies(SyncingMovies())
    movie = MovieFactory()
    response = client.post(URL, {"movie_id": movie.tmdb_id, "user_rating": rating}, format="json")
    assert response.status_code == 400
    assert "user_rating" in response.json()["errors"]["fields"]


def test_patch_sets_and_clears_the_rating(client, user):
    favorite = FavoriteFactory(user=user, user_rating=4)
    assert client.patch(f"{URL}{favorite.pk}/", {"user_rating": 9}).json()["data"]["user_rating"] == 9
    assert client.patch(f"{URL}{favorite.pk}/", {"user_rating": None}).json()["data"]["user_rating"] is None
    assert client.patch(f"{URL}{favorite.pk}/", {"user_rating": 12}).status_code == 400


def test_filter_by_rating_range(client, user):
    # given
    _low, mid, high = (FavoriteFactory(user=user, user_rating=rating) for rating in (2, 6, 9))
    FavoriteFactory(user=user, user_rating=None)
    # when
    data = client.get(f"{URL}?min_rating=5&max_rating=9").json()["data"]
    # then
    assert {item["id"] for item in data} == {mid.pk, high.pk}
    assert client.get(f"{URL}?min_rating=9&max_rating=2").status_code == 400


@pytest.mark.parametrize(("ordering", "expected"), [("-rating", [9, 2, None]), ("rating", [2, 9, None])])
def test_order_by_rating_puts_unrated_last(client, user, ordering, expected):
    for rating in (None, 9, 2):
        FavoriteFactory(user=user, user_rating=rating)
    data = client.get(f"{URL}?ordering={ordering}").json()["data"]
    assert [item["user_rating"] for item in data] == expected


def test_watchlist_has_no_rating_ordering(client):
    assert client.get("/api/v1/watchlist/?ordering=rating").status_code == 400
