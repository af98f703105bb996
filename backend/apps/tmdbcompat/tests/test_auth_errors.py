"""Auth as TMDb does it (api_key= or Bearer), TMDb's error bodies, per-key rate limits and usage counts."""

from __future__ import annotations

import pytest

from apps.tmdbcompat.apikeys import ApiKeyService
from apps.tmdbcompat.models import ApiKey

pytestmark = pytest.mark.django_db


def tmdb_error(response, http_status: int, code: int) -> dict:
    body = response.json()
    assert response.status_code == http_status
    assert body["success"] is False
    assert body["status_code"] == code
    assert isinstance(body["status_message"], str) and body["status_message"]
    return body


@pytest.fixture
def movie(tmdb_double):
    tmdb_double.add_movie(550, title="Fight Club")
    return 550


def test_a_key_is_accepted_as_api_key_or_bearer(tmdb3, movie):
    assert tmdb3.get("movie/550").json()["title"] == "Fight Club"
    assert tmdb3.get("movie/550", bearer=True).json()["title"] == "Fight Club"


@pytest.mark.parametrize("key", ["", "not-a-key", "0" * 32])
def test_a_missing_or_unknown_key_is_tmdbs_401(tmdb3, movie, key):
    tmdb_error(tmdb3.get("movie/550", key=key), 401, 7)
    tmdb_error(tmdb3.get("movie/550", key=key or "x", bearer=True), 401, 7)


def test_a_revoked_key_is_refused_at_once(tmdb3, movie, django_capture_on_commit_callbacks):
    # given a key that has just been served (its lookup and its answer are cached)
    assert tmdb3.get("movie/550").status_code == 200
    # when staff revoke it (and the revocation commits)
    with django_capture_on_commit_callbacks(execute=True):
        assert ApiKeyService.revoke(name="consumer") is True
    # then its very next request is a 401, cached bytes or not
    tmdb_error(tmdb3.get("movie/550"), 401, 7)
    tmdb_error(tmdb3.get("movie/550", bearer=True), 401, 7)


def test_a_key_revoked_in_the_admin_is_refused_at_once(tmdb3, movie, django_capture_on_commit_callbacks):
    from core.adminsite.testing import client_for, make_staff

    # given a key just served
    assert tmdb3.get("movie/550").status_code == 200
    stored = ApiKey.objects.get(name="consumer")
    # when staff untick "active" on its page
    with django_capture_on_commit_callbacks(execute=True):
        client_for(make_staff(superuser=True)).post(
            f"/admin/tmdbcompat/apikey/{stored.pk}/change/",
            {"name": "consumer", "rate_limit": "0", "owner": ""},
        )
    # then the next request with it is a 401
    assert ApiKey.objects.get(pk=stored.pk).is_active is False
    tmdb_error(tmdb3.get("movie/550"), 401, 7)


def test_keys_are_stored_hashed(api_key):
    stored = ApiKey.objects.get(name="consumer")
    assert api_key not in (stored.key_hash, stored.prefix)
    assert len(api_key) == 32
    assert stored.prefix == api_key[:8]


def test_an_unknown_movie_is_34_and_unknown_paths_too(tmdb3, tmdb_double):
    tmdb_error(tmdb3.get("movie/999999"), 404, 34)
    tmdb_error(tmdb3.get("movie/abc"), 404, 34)
    tmdb_error(tmdb3.get("movie/550/reviews"), 404, 34)
    tmdb_error(tmdb3.get("tv/popular"), 404, 34)
    tmdb_error(tmdb3.get("trending/movie/month"), 404, 34)


def test_unknown_paths_still_want_a_key(tmdb3):
    tmdb_error(tmdb3.get("tv/popular", key=""), 401, 7)


@pytest.mark.parametrize("page", ["0", "501", "abc", "-1", "1.5"])
def test_a_bad_page_is_22(tmdb3, tmdb_double, page):
    tmdb_error(tmdb3.get("movie/popular", page=page), 400, 22)


def test_over_its_rate_limit_a_key_gets_25_with_retry_after(tmdb_double, settings):
    from .conftest import Caller

    settings.TMDB_COMPAT_USAGE_BATCH = 1  # every request reaches the row
    # given a key allowed 2 requests a minute
    _, raw = ApiKeyService.create(name="tight", rate_limit=2)
    caller = Caller(raw)
    # when it makes a third
    assert caller.get("configuration").status_code == 200
    assert caller.get("configuration").status_code == 200
    response = caller.get("configuration")
    # then TMDb's 429 body, a Retry-After within the minute, and the counts say so
    tmdb_error(response, 429, 25)
    assert 1 <= int(response["Retry-After"]) <= 61
    stored = ApiKey.objects.get(name="tight")
    assert (stored.request_count, stored.throttled_count) == (2, 1)
    assert stored.last_used_at is not None


def test_usage_counts_reach_the_row_in_batches(tmdb3, settings):
    # given counts written every 3 requests (and each request sent to Redis at once: test_admission
    # has the process's own batches)
    settings.TMDB_COMPAT_USAGE_BATCH = 3
    settings.TMDB_COMPAT_COUNT_BATCH = 1
    stored = ApiKey.objects.get(name="consumer")
    # when the key makes 2, then 3 more requests
    for _ in range(2):
        assert tmdb3.get("configuration").status_code == 200
    stored.refresh_from_db()
    before = stored.request_count
    for _ in range(3):
        assert tmdb3.get("configuration").status_code == 200
    stored.refresh_from_db()
    # then the row had none after 2, and 3 after the third (the other 2 wait for the next batch)
    assert before == 0
    assert stored.request_count == 3
    assert stored.last_used_at is not None


def test_tmdb_down_serves_what_is_stored_and_503_for_the_rest(tmdb3, tmdb_double, movie):
    # given a stored movie, then TMDb failing
    assert tmdb3.get("movie/550").status_code == 200
    tmdb_double.add_movie(551)
    tmdb_double.fail(None, status=503, times=None)
    # then the stored movie is still served, and an unstored one is TMDb's unavailable body
    assert tmdb3.get("movie/550/credits").status_code == 200
    response = tmdb3.get("movie/551")
    tmdb_error(response, 503, 9)
    assert int(response["Retry-After"]) >= 1


def test_the_api_key_is_never_part_of_a_cached_body(tmdb3, tmdb_double, movie):
    from .conftest import Caller

    # given two consumers
    _, other_key = ApiKeyService.create(name="other")
    other = Caller(other_key)
    # when both read the same URL, one by query and one by header
    first = tmdb3.get("movie/550", append_to_response="credits")
    second = other.client.get(
        "/tmdb/3/movie/550", {"append_to_response": "credits"}, HTTP_AUTHORIZATION=f"Bearer {other_key}"
    )
    # then they get the very same bytes (one copy, shared), holding neither key
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    for key in (tmdb3.key, other_key):
        assert key.encode() not in first.content
    assert tmdb_double.count("movie/550") == 1


def test_language_is_asked_of_tmdb_and_is_part_of_the_cache_key(tmdb3, tmdb_double):
    # given a stored movie
    tmdb_double.add_movie(603, title="The Matrix")
    assert tmdb3.get("movie/603").status_code == 200
    before = tmdb_double.count("movie/603")
    # when it is read in German, twice
    german = tmdb3.get("movie/603", language="de-DE")
    again = tmdb3.get("movie/603", language="de-DE")
    # then TMDb was asked once for the German text, and the second read was the cached answer
    assert german.status_code == again.status_code == 200
    assert tmdb_double.last("movie/603").query["language"] == "de-DE"
    assert tmdb_double.count("movie/603") == before + 1
    assert german.content == again.content


def test_include_adult_is_honoured_as_on_tmdb(tmdb3, tmdb_double):
    # given an adult title among the popular movies
    tmdb_double.add_movie(1, title="Plain", popularity=2.0)
    tmdb_double.add_movie(2, title="Adult", adult=True, popularity=1.0)
    # then it is left out by default and listed with include_adult=true
    assert [m["id"] for m in tmdb3.get("movie/popular").json()["results"]] == [1]
    assert [m["id"] for m in tmdb3.get("movie/popular", include_adult="true").json()["results"]] == [1, 2]


def test_a_key_past_its_share_of_the_tmdb_quota_gets_tmdbs_25(tmdb3, tmdb_double, settings):
    # given a budget of 2 upstream calls a minute per caller, and three movies only TMDb has
    settings.TMDB_CLIENT_BUDGET_USER = 2
    for tmdb_id in (9601, 9602, 9603):
        tmdb_double.add_movie(tmdb_id)
    # when one key asks for all three
    responses = [tmdb3.get(f"movie/{tmdb_id}") for tmdb_id in (9601, 9602, 9603)]
    # then the third is TMDb's rate-limit answer, without a TMDb call
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[2].json()["status_code"] == 25
    assert int(responses[2]["Retry-After"]) >= 1
    assert tmdb_double.count("movie/9603") == 0
