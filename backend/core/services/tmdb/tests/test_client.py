"""TMDbClient: one method per endpoint, responses read through the cache layer with their TTLs."""

import pytest

from core import cache
from core.cache import keys
from core.services.tmdb.client import DETAILS_APPEND, TMDbClient
from core.services.tmdb.errors import TMDbNotFound, TMDbUnavailable


@pytest.fixture
def client(tmdb_double):
    return TMDbClient()


def test_details_are_one_call_with_every_appended_key(client, tmdb_double):
    # given
    tmdb_double.add_movie(550, title="Fight Club")
    tmdb_double.add_movie(680)
    tmdb_double.relate(550, recommendations=[680], similar=[680])
    # when
    body = client.movie_details(550)
    # then
    assert body["title"] == "Fight Club"
    for key in ("credits", "videos", "recommendations", "similar", "keywords", "external_ids"):
        assert key in body
    assert body["recommendations"]["results"][0]["id"] == 680
    assert set(body["recommendations"]) == {"page", "results", "total_pages", "total_results"}
    assert tmdb_double.count() == 1
    assert tmdb_double.requests[0].query["append_to_response"] == DETAILS_APPEND


def test_a_cached_response_makes_zero_upstream_calls(client, tmdb_double):
    # given
    tmdb_double.add_movie(550)
    client.movie_details(550)
    # when
    client.movie_details(550)
    client.movie_details(550)
    # then
    assert tmdb_double.count("movie/550") == 1


def test_fresh_bypasses_the_cache_and_refreshes_it(client, tmdb_double):
    tmdb_double.add_movie(550, title="Old")
    client.movie_details(550)
    tmdb_double.add_movie(550, title="New")
    assert client.movie_details(550, fresh=True)["title"] == "New"
    assert client.movie_details(550)["title"] == "New"
    assert tmdb_double.count("movie/550") == 2


def test_not_found_is_cached_briefly(client, tmdb_double):
    # when
    for _ in range(3):
        with pytest.raises(TMDbNotFound):
            client.movie_details(404404)
    # then
    assert tmdb_double.count() == 1


def test_failures_are_not_cached_as_answers(client, tmdb_double):
    tmdb_double.fail("configuration", status=503, times=None)
    with pytest.raises(TMDbUnavailable):
        client.configuration()
    tmdb_double.clear_faults()
    assert "images" in client.configuration()


def test_cooldown_fails_fast_after_a_failure(client, tmdb_double, settings):
    # given
    settings.TMDB_FAILURE_COOLDOWN = 30
    tmdb_double.fail(None, status=503, times=None)
    with pytest.raises(TMDbUnavailable):
        client.popular()
    calls = tmdb_double.count()
    tmdb_double.clear_faults()
    # when
    with pytest.raises(TMDbUnavailable) as caught:
        client.top_rated()
    # then
    assert tmdb_double.count() == calls
    assert caught.value.retry_after >= 1


@pytest.mark.parametrize(
    ("method", "kwargs", "path"),
    [
        ("configuration", {}, "configuration"),
        ("genres", {}, "genre/movie/list"),
        ("popular", {"page": 2}, "movie/popular"),
        ("top_rated", {}, "movie/top_rated"),
        ("now_playing", {"region": "GB"}, "movie/now_playing"),
        ("upcoming", {}, "movie/upcoming"),
        ("trending", {"window": "week"}, "trending/movie/week"),
        ("search", {"query": "fight"}, "search/movie"),
        ("discover", {"filters": {"with_genres": "18"}}, "discover/movie"),
        ("changes", {"start_date": "2026-01-01"}, "movie/changes"),
    ],
)
def test_each_endpoint_reaches_its_path(client, tmdb_double, method, kwargs, path):
    tmdb_double.add_movie(550)
    body = getattr(client, method)(**kwargs)
    assert isinstance(body, dict)
    assert tmdb_double.requests[-1].path == path


def test_language_region_and_adult_are_passed_through(client, tmdb_double):
    client.search(query="x", language="fr-FR", region="FR")
    query = tmdb_double.requests[-1].query
    assert (query["language"], query["region"], query["include_adult"]) == ("fr-FR", "FR", "false")


def test_related_lists(client, tmdb_double):
    tmdb_double.add_movie(1)
    tmdb_double.add_movie(2)
    tmdb_double.relate(1, recommendations=[2], similar=[])
    assert client.recommendations(1)["results"][0]["id"] == 2
    assert client.similar(1)["results"] == []


def test_unknown_trending_window_is_refused(client):
    with pytest.raises(ValueError, match="window"):
        client.trending(window="year")


def test_cache_keys_are_versioned_stable_and_hash_long_params():
    short = keys.search_key(params={"query": "alien", "page": 1})
    long = keys.search_key(params={"query": "x" * 500, "page": 1})
    assert short.startswith("tmdb:v1:search:")
    assert short == keys.search_key(params={"page": 1, "query": "alien"})
    assert len(long) < 100
    assert long == keys.search_key(params={"query": "x" * 500, "page": 1})
    assert keys.search_key(params={"query": "a b"}) != keys.search_key(params={"query": "a  b"})


def test_responses_are_stored_under_the_named_keys(client, tmdb_double):
    client.configuration()
    assert cache.get(keys.configuration_key())["images"]["poster_sizes"]
