"""One client cannot spend the shared TMDb quota: per-client budgets, the negative cache, and
cache keys built only from the parameters a view reads."""

import pytest

from core.cache import keys
from core.cache.layers import l2_call

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_past_its_budget_gets_429_and_tmdb_no_call(api_client, tmdb_double, settings):
    # given a budget of 3 upstream calls a minute for anonymous clients, and TMDb knowing every id
    settings.TMDB_CLIENT_BUDGET_ANON = 3
    for tmdb_id in range(9001, 9006):
        tmdb_double.add_movie(tmdb_id)
    # when one client asks for five movies nobody has asked for before
    statuses = [api_client.get(f"/api/v1/movies/{tmdb_id}/").status_code for tmdb_id in range(9001, 9006)]
    # then the first three are fetched; the rest are refused without a TMDb call
    assert statuses == [200, 200, 200, 429, 429]
    assert tmdb_double.count("movie/") == 3
    refused = api_client.get("/api/v1/movies/9005/")
    assert refused.json()["errors"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_stored_movies_cost_no_budget(api_client, tmdb_double, settings):
    # given a client that has spent its budget
    settings.TMDB_CLIENT_BUDGET_ANON = 1
    tmdb_double.add_movie(9101)
    tmdb_double.add_movie(9102)
    assert api_client.get("/api/v1/movies/9101/").status_code == 200
    # when it reads what is stored, and something that is not
    stored = api_client.get("/api/v1/movies/9101/?fields=id,title")
    unknown = api_client.get("/api/v1/movies/9102/")
    # then the stored movie is served; the unknown one waits for the next minute
    assert stored.status_code == 200
    assert unknown.status_code == 429


def test_a_signed_in_user_has_a_budget_of_their_own(api_client, user_client, tmdb_double, settings):
    # given the anonymous budget on this address is spent
    settings.TMDB_CLIENT_BUDGET_ANON = 1
    settings.TMDB_CLIENT_BUDGET_USER = 5
    tmdb_double.add_movie(9201)
    tmdb_double.add_movie(9202)
    assert api_client.get("/api/v1/movies/9201/").status_code == 200
    # when a signed-in user on the same address asks for an unknown movie
    response = user_client().get("/api/v1/movies/9202/")
    # then it is their own budget that counts
    assert response.status_code == 200


def test_an_unknown_id_is_asked_of_tmdb_once_per_negative_ttl(api_client, tmdb_double):
    # given an id TMDb does not have
    # when it is asked for twice (the second time past the view's own 404 cache)
    first = api_client.get("/api/v1/movies/9301/")
    second = api_client.get("/api/v1/movies/9301/?language=fr-FR")
    # then TMDb was asked once: its "not found" is cached (TTL.TMDB_NEGATIVE)
    assert (first.status_code, second.status_code) == (404, 404)
    assert tmdb_double.count("movie/9301") == 1


def test_unknown_query_parameters_never_split_the_cache(api_client):
    # given a cached list
    from apps.movies.tests.factories import MovieFactory

    MovieFactory()
    api_client.get("/api/v1/movies/")
    # when the same list is asked for with junk parameters
    responses = [api_client.get(f"/api/v1/movies/?junk{n}=x&utm_source={n}") for n in range(5)]
    # then every one is the cached answer: junk is not part of the key
    assert all(response["X-Cache"].startswith("HIT") for response in responses)


def test_namespace_counters_expire(api_client):
    # given a detail read that created its movie's namespace counter
    from django.core.cache import caches

    api_client.get("/api/v1/movies/9401/")
    backend, key = caches["default"], keys.namespace(keys.movie_namespace(9401))
    assert l2_call("get", key) is not None
    # then the counter has a TTL, so Redis's volatile-lru may evict it
    if hasattr(backend, "ttl"):  # django-redis
        assert 0 < backend.ttl(key) <= 7 * 24 * 3600
    else:  # the local-memory cache of the embedded defaults keeps the expiry time (None: never)
        assert backend._expire_info[backend.make_key(key)] is not None
