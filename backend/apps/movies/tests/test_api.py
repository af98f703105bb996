"""The read-only catalog endpoints: list and detail by TMDb id."""

import pytest

from apps.movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db


def test_list_is_paginated_most_popular_first(api_client):
    # given
    MovieFactory.create_batch(5)
    top = MovieFactory(popularity=9999.0, title="Top")
    # when
    response = api_client.get("/api/v1/movies/?page_size=2")
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["data"][0]["id"] == top.tmdb_id
    assert len(body["data"]) == 2
    pagination = body["meta"]["pagination"]
    assert pagination["page"] == 1
    assert pagination["page_size"] == 2
    assert pagination["total_results"] == 6
    assert pagination["total_pages"] == 3
    assert pagination["previous"] is None
    assert "page=2" in pagination["next"]


def test_page_past_the_end_is_empty(api_client):
    MovieFactory.create_batch(3)
    body = api_client.get("/api/v1/movies/?page=5").json()
    assert body["data"] == []
    assert body["meta"]["pagination"]["next"] is None
    assert body["meta"]["pagination"]["previous"] == "http://testserver/api/v1/movies/"  # the last real page


@pytest.mark.parametrize("query", ["page=0", "page=1000000", "page=abc", "page_size=101", "page_size=0"])
def test_bad_pagination_is_400(api_client, query):
    response = api_client.get(f"/api/v1/movies/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"


def test_inactive_movies_are_hidden(api_client):
    gone = MovieFactory(is_active=False)
    assert api_client.get("/api/v1/movies/").json()["meta"]["pagination"]["total_results"] == 0
    assert api_client.get(f"/api/v1/movies/{gone.tmdb_id}/").status_code == 404


def test_detail_by_tmdb_id_has_genres(api_client):
    # given
    drama = GenreFactory(tmdb_id=18, name="Drama")
    movie = MovieFactory(tmdb_id=550, title="Fight Club", genres=[drama])
    # when
    body = api_client.get("/api/v1/movies/550/").json()
    # then
    assert body["success"] is True
    assert body["data"]["id"] == movie.tmdb_id
    assert body["data"]["title"] == "Fight Club"
    assert body["data"]["genres"] == [{"id": 18, "name": "Drama", "slug": "drama"}]
    assert "overview" in body["data"]


def test_unknown_movie_without_tmdb_credentials_is_503_in_the_envelope(api_client):
    # given no TMDb credentials (the embedded demo): an unknown id cannot be looked up
    # when
    response = api_client.get("/api/v1/movies/424242/")
    # then
    body = response.json()
    assert response.status_code == 503
    assert body["errors"]["code"] == "upstream_unavailable"
    assert int(response["Retry-After"]) == body["errors"]["retry_after"] > 0


@pytest.mark.parametrize("page_size", [1, 50, 100])
def test_list_runs_constant_queries(api_client, django_assert_max_num_queries, page_size):
    genres = GenreFactory.create_batch(3)
    MovieFactory.create_batch(120, genres=genres)
    with django_assert_max_num_queries(3):
        response = api_client.get(f"/api/v1/movies/?page_size={page_size}")
    assert len(response.json()["data"]) == page_size
