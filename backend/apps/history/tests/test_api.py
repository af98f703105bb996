"""The /api/v1/watched/ endpoints: add, list with filters, update, remove, stats, isolation."""

import datetime

import pytest
from django.utils import timezone

from apps.history.models import Viewing
from apps.movies.tests.factories import GenreFactory, MovieFactory

from .factories import ViewingFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/watched/"


def test_log_a_viewing_returns_201_in_the_envelope(client, syncing):
    # given
    MovieFactory(tmdb_id=348, title="Alien")
    # when
    response = client.post(
        URL,
        {"movie_id": 348, "watched_on": "2025-10-31", "rating": 9, "rewatch": True, "review": "Still scary."},
        format="json",
    )
    # then
    body = response.json()
    assert response.status_code == 201
    assert body["success"] is True
    assert body["data"]["movie"]["id"] == 348
    assert (body["data"]["watched_on"], body["data"]["rating"], body["data"]["rewatch"]) == (
        "2025-10-31",
        9,
        True,
    )
    assert body["data"]["source"] == "manual"
    assert response["Cache-Control"] == "private, no-store"


def test_date_defaults_to_today_and_logging_twice_returns_the_same_viewing(client, syncing):
    # given
    movie = MovieFactory()
    first = client.post(URL, {"movie_id": movie.tmdb_id}, format="json")
    # when
    again = client.post(URL, {"movie_id": movie.tmdb_id, "rating": 3}, format="json")
    # then
    assert first.status_code == 201
    assert first.json()["data"]["watched_on"] == timezone.localdate().isoformat()
    assert again.status_code == 200
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.json()["data"]["rating"] is None


def test_the_same_movie_on_two_days_is_two_viewings(client, syncing):
    # given
    movie = MovieFactory()
    # when
    for day in ("2020-01-01", "2024-05-05"):
        client.post(URL, {"movie_id": movie.tmdb_id, "watched_on": day}, format="json")
    # then
    assert Viewing.objects.filter(movie=movie).count() == 2


@pytest.mark.parametrize(
    "payload",
    [{"rating": 0}, {"rating": 11}, {"watched_on": "2999-01-01"}, {"review": "x" * 5001}, {"rating": "nine"}],
)
def test_invalid_values_are_400(client, syncing, payload):
    # given
    movie = MovieFactory()
    # when
    response = client.post(URL, {"movie_id": movie.tmdb_id, **payload}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"
    assert not Viewing.objects.exists()


def test_list_filters_by_year_rating_and_genre(client, user):
    # given
    horror, comedy = GenreFactory(tmdb_id=27, name="Horror"), GenreFactory(tmdb_id=35, name="Comedy")
    scary = ViewingFactory(
        user=user, movie=MovieFactory(genres=[horror]), watched_on=datetime.date(2023, 3, 1), rating=9
    )
    ViewingFactory(
        user=user, movie=MovieFactory(genres=[comedy]), watched_on=datetime.date(2023, 4, 1), rating=4
    )
    ViewingFactory(
        user=user, movie=MovieFactory(genres=[horror]), watched_on=datetime.date(2022, 1, 1), rating=8
    )
    # when
    response = client.get(URL, {"year": 2023, "min_rating": 7, "genre": "27"})
    # then
    body = response.json()
    assert response.status_code == 200
    assert [item["id"] for item in body["data"]] == [scary.pk]
    assert body["meta"]["pagination"]["total_results"] == 1


def test_list_is_newest_first_and_paginated(client, user):
    # given
    viewings = [ViewingFactory(user=user) for _ in range(3)]
    # when
    response = client.get(URL, {"page_size": 2})
    # then
    body = response.json()
    assert [item["id"] for item in body["data"]] == [viewings[2].pk, viewings[1].pk]
    assert body["meta"]["pagination"]["total_pages"] == 2


def test_list_runs_constant_queries(client, user, django_assert_max_num_queries):
    # given
    for _ in range(15):
        ViewingFactory(user=user)
    # when / then
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"page_size": 15}).status_code == 200


def test_update_changes_only_what_is_sent(client, user):
    # given
    viewing = ViewingFactory(user=user, rating=6, review="fine")
    # when
    response = client.patch(f"{URL}{viewing.pk}/", {"rating": 8}, format="json")
    # then
    viewing.refresh_from_db()
    assert response.status_code == 200
    assert (viewing.rating, viewing.review) == (8, "fine")
    assert viewing.edited_at is not None


def test_moving_a_viewing_onto_an_already_logged_day_is_400(client, user):
    # given
    movie = MovieFactory()
    ViewingFactory(user=user, movie=movie, watched_on=datetime.date(2024, 1, 1))
    other = ViewingFactory(user=user, movie=movie, watched_on=datetime.date(2024, 2, 1))
    # when
    response = client.patch(f"{URL}{other.pk}/", {"watched_on": "2024-01-01"}, format="json")
    # then
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.watched_on == datetime.date(2024, 2, 1)


def test_remove_is_a_soft_delete_and_logging_again_restores(client, user, syncing):
    # given
    viewing = ViewingFactory(user=user, rating=5)
    # when
    removed = client.delete(f"{URL}{viewing.pk}/")
    listed = client.get(URL).json()["data"]
    again = client.post(
        URL,
        {"movie_id": viewing.movie.tmdb_id, "watched_on": viewing.watched_on.isoformat(), "rating": 7},
        format="json",
    )
    # then
    assert removed.status_code == 204
    assert listed == []
    assert again.status_code == 201
    assert again.json()["data"]["id"] == viewing.pk
    assert again.json()["data"]["rating"] == 7


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_viewing_is_404(other_client, user, method):
    # given
    viewing = ViewingFactory(user=user)
    # when
    response = getattr(other_client, method)(f"{URL}{viewing.pk}/", {}, format="json")
    # then
    assert response.status_code == 404
    assert response.json()["errors"]["code"] == "not_found"
    assert Viewing.objects.get(pk=viewing.pk).is_active


def test_lists_are_personal(client, other_user):
    # given
    ViewingFactory(user=other_user)
    # when / then
    assert client.get(URL).json()["data"] == []


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_stats_count_per_year_average_and_top_genres(client, user):
    # given
    drama = GenreFactory(tmdb_id=18, name="Drama")
    movie = MovieFactory(genres=[drama])
    ViewingFactory(user=user, movie=movie, watched_on=datetime.date(2022, 5, 1), rating=8)
    ViewingFactory(user=user, movie=movie, watched_on=datetime.date(2023, 5, 1), rating=6, rewatch=True)
    ViewingFactory(user=user, watched_on=datetime.date(2023, 6, 1))
    # when
    data = client.get(f"{URL}stats/").json()["data"]
    # then
    assert (data["count"], data["movie_count"], data["rated_count"], data["rewatch_count"]) == (3, 2, 2, 1)
    assert data["average_rating"] == 7.0
    assert data["by_year"] == [
        {"year": 2022, "count": 1, "average_rating": 8.0},
        {"year": 2023, "count": 2, "average_rating": 6.0},
    ]
    assert data["top_genres"] == [{"id": 18, "name": "Drama", "count": 1}]


def test_stats_follow_my_changes(client, user, syncing):
    # given
    movie = MovieFactory()
    assert client.get(f"{URL}stats/").json()["data"]["count"] == 0
    # when
    client.post(URL, {"movie_id": movie.tmdb_id, "rating": 10}, format="json")
    # then
    data = client.get(f"{URL}stats/").json()["data"]
    assert (data["count"], data["average_rating"]) == (1, 10.0)
