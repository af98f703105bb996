"""HTTP caching of catalog reads: X-Cache, ETag/304, Cache-Control, invalidation, privacy, and the
signed-in reader's flags spliced into the shared bytes."""

import pytest

from apps.movies.tests.factories import MovieFactory
from core import cache
from core.cache import layers

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/movies/550/"
LIST = "/api/v1/movies/"


@pytest.fixture
def movie():
    return MovieFactory(tmdb_id=550, title="Fight Club")


def test_first_read_misses_then_hits_l1_then_l2(api_client, movie):
    first = api_client.get(DETAIL)
    second = api_client.get(DETAIL)
    layers.memory().clear()  # as another process would: no L1 copy yet
    third = api_client.get(DETAIL)
    assert [first["X-Cache"], second["X-Cache"], third["X-Cache"]] == ["MISS", "HIT", "HIT"]
    assert (second["X-Cache-Level"], third["X-Cache-Level"]) == ("L1", "L2")
    assert first.content == second.content == third.content
    assert second.json()["data"]["title"] == "Fight Club"


def test_a_hit_runs_no_sql(api_client, movie, django_assert_num_queries):
    api_client.get(LIST)
    with django_assert_num_queries(0):
        response = api_client.get(LIST)
    assert response["X-Cache"] == "HIT"


def test_anonymous_reads_are_public_with_an_etag(api_client, movie):
    response = api_client.get(DETAIL)
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert "Authorization" in response["Vary"]


def test_if_none_match_answers_304_without_a_body(api_client, movie):
    etag = api_client.get(DETAIL)["ETag"]
    response = api_client.get(DETAIL, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["X-Cache"] == "HIT"


def test_a_changed_response_has_a_new_etag_and_a_stale_tag_gets_200(api_client, movie):
    etag = api_client.get(DETAIL)["ETag"]
    movie.title = "Fight Club (restored)"
    movie.save()
    cache.invalidate_movie(550)
    response = api_client.get(DETAIL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["data"]["title"] == "Fight Club (restored)"


def _reader():
    from apps.authentication.models import User

    return User.objects.get(email="someone@example.com")  # user_token's owner


def _favorite(user, movie) -> None:
    from apps.favorites.models import Favorite

    Favorite.objects.create(user=user, movie=movie)
    cache.invalidate_user(user.pk)  # as the favorites service does


def test_signed_in_reads_share_the_cached_bytes_with_their_own_flags(api_client, movie, user_token):
    # given an anonymous response in the cache, and a reader who favorited the movie
    anonymous = api_client.get(LIST)
    _favorite(_reader(), movie)
    # when the reader asks for the same URL
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token}")
    response = api_client.get(LIST)
    # then the shared page answers, with their flag, privately
    assert response.status_code == 200
    assert response["X-Cache"] == "HIT"
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    assert [item["is_favorite"] for item in response.json()["data"]] == [True]
    assert [item["is_favorite"] for item in anonymous.json()["data"]] == [False]
    assert len(response.content) == len(anonymous.content) + len("true") - len("false")


def test_a_signed_in_read_stores_only_the_shared_page(api_client, movie, user_token):
    # given a reader's flagged answer, rendered first (a MISS) for them
    _favorite(_reader(), movie)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token}")
    assert api_client.get(DETAIL).json()["data"]["is_favorite"] is True
    # when an anonymous reader asks
    api_client.credentials()
    response = api_client.get(DETAIL)
    # then they get the page the reader's request stored, without the reader's flags
    assert response["X-Cache"] == "HIT"
    assert response.json()["data"]["is_favorite"] is False


def test_an_adult_preference_is_another_page(api_client, movie, user_token):
    from apps.users.models import Profile

    api_client.get(LIST)
    Profile.objects.update_or_create(user=_reader(), defaults={"include_adult": True})
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token}")
    assert api_client.get(LIST)["X-Cache"] == "MISS"
    assert api_client.get(LIST)["X-Cache"] == "HIT"


def test_an_invalid_token_is_private_too(api_client, movie):
    response = api_client.get(LIST, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"


def test_the_query_is_normalised_order_and_defaults_do_not_split_the_cache(api_client, movie):
    api_client.get(f"{LIST}?page_size=5&ordering=title")
    assert api_client.get(f"{LIST}?ordering=title&page_size=5&page=1")["X-Cache"] == "HIT"
    assert api_client.get(f"{DETAIL}?language=en-US")["X-Cache"] == "MISS"
    assert api_client.get(DETAIL)["X-Cache"] == "HIT"  # the default language is the same entry


@pytest.mark.parametrize("variant", ["?language=fr-FR", "?page_size=5"])
def test_language_and_page_split_the_cache(api_client, movie, variant):
    api_client.get(LIST)
    assert api_client.get(f"{LIST}{variant}")["X-Cache"] == "MISS"


def test_a_parameter_the_view_ignores_does_not_split_the_cache(api_client, movie):
    # anonymous readers never see adult titles: the list does not read include_adult
    api_client.get(LIST)
    assert api_client.get(f"{LIST}?include_adult=true")["X-Cache"] == "HIT"


def test_invalidate_movie_drops_its_detail_and_every_list_but_not_other_movies(api_client, movie):
    # given
    MovieFactory(tmdb_id=13)
    for url in (DETAIL, "/api/v1/movies/13/", LIST):
        api_client.get(url)
    # when
    cache.invalidate_movie(550)
    # then
    assert api_client.get(DETAIL)["X-Cache"] == "MISS"
    assert api_client.get(LIST)["X-Cache"] == "MISS"
    assert api_client.get("/api/v1/movies/13/")["X-Cache"] == "HIT"


def test_invalidate_catalog_lists_keeps_details(api_client, movie):
    api_client.get(DETAIL)
    api_client.get(LIST)
    cache.invalidate_catalog_lists()
    assert api_client.get(LIST)["X-Cache"] == "MISS"
    assert api_client.get(DETAIL)["X-Cache"] == "HIT"


def test_not_found_is_cached_briefly(api_client, settings):
    first = api_client.get("/api/v1/movies/424242/")
    second = api_client.get("/api/v1/movies/424242/")
    assert (first.status_code, second.status_code) == (404, 404)
    assert second["X-Cache"] == "HIT"
    assert second["Cache-Control"] == f"public, max-age={settings.CACHE_TTL_VIEW_NEGATIVE}"
    assert second.json()["errors"]["code"] == "not_found"


def test_errors_are_not_stored(api_client):
    first = api_client.get(f"{LIST}?page=0")
    second = api_client.get(f"{LIST}?page=0")
    assert (first.status_code, second.status_code) == (400, 400)
    assert second["X-Cache"] == "MISS"
    assert second["Cache-Control"] == "no-store"


def test_a_stale_response_says_so(api_client, movie, wall_clock, settings):
    # given a cached response past its freshness, and a refresh already under way elsewhere
    api_client.get(DETAIL)
    layers.memory().clear()
    wall_clock.advance(settings.CACHE_TTL_VIEW_DETAIL + 1)
    key = _only_view_key(api_client)
    token = layers._acquire(key)
    # when
    response = api_client.get(DETAIL)
    # then
    assert response.status_code == 200
    assert (response["X-Cache"], response["X-Cache-Level"]) == ("STALE", "L2")
    layers._release(key, token)


def _only_view_key(api_client) -> str:
    """The detail's view key, recomputed the way the decorator does."""
    from django.test import RequestFactory

    from apps.movies.views import MovieDetailView
    from core.cache.http import known_parameters

    request = RequestFactory().get(DETAIL)
    policy = MovieDetailView.http_cache_policy
    known = known_parameters(MovieDetailView())
    return policy.key(request, {"tmdb_id": 550}, known, policy.audience(request, known, None))


def test_the_bench_bypass_header_is_ignored_unless_bench_endpoints_are_on(api_client, movie, settings):
    api_client.get(DETAIL)
    assert api_client.get(DETAIL, HTTP_X_CACHE_BYPASS="1")["X-Cache"] == "HIT"
    settings.BENCH_ENDPOINTS = True
    response = api_client.get(DETAIL, HTTP_X_CACHE_BYPASS="1")
    assert response["X-Cache"] == "BYPASS"
    assert response.json()["data"]["id"] == 550
