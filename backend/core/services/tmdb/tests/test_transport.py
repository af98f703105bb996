"""The transport against the local TMDb double: auth, retries, Retry-After, budgets, faults."""

import time

import pytest

from core.services.tmdb.base import BaseClient, parse_retry_after
from core.services.tmdb.errors import (
    TMDbBadRequest,
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbRateLimited,
    TMDbUnauthorized,
    TMDbUnavailable,
)
from testing.tmdb.double import READ_ACCESS_TOKEN


@pytest.fixture
def client(tmdb_double):
    return BaseClient()


def test_api_key_rides_in_the_query(client, tmdb_double):
    # when
    body = client.get("configuration")
    # then
    assert "images" in body
    assert tmdb_double.requests[-1].query["api_key"] == tmdb_double.api_key


def test_read_access_token_is_sent_as_bearer(tmdb_double, settings):
    # given
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_ACCESS_TOKEN = READ_ACCESS_TOKEN
    # when
    BaseClient().get("configuration")
    # then
    request = tmdb_double.requests[-1]
    assert request.headers["authorization"] == f"Bearer {READ_ACCESS_TOKEN}"
    assert "api_key" not in request.query


def test_without_credentials_nothing_is_sent(tmdb_double, settings):
    settings.TMDB_API_KEY = ""
    with pytest.raises(TMDbNotConfigured):
        BaseClient().get("configuration")
    assert tmdb_double.count() == 0


def test_wrong_key_is_unauthorized_without_retries(tmdb_double):
    with pytest.raises(TMDbUnauthorized) as caught:
        BaseClient(api_key="wrong").get("configuration")
    assert caught.value.tmdb_code == 7
    assert tmdb_double.count() == 1


def test_not_found_body_is_not_retried(client, tmdb_double):
    with pytest.raises(TMDbNotFound) as caught:
        client.get("movie/1")
    assert caught.value.tmdb_code == 34
    assert tmdb_double.count() == 1


def test_bad_page_is_bad_request(client, tmdb_double):
    with pytest.raises(TMDbBadRequest) as caught:
        client.get("movie/popular", {"page": 501})
    assert caught.value.tmdb_code == 22


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503},
        {"status": 500, "body": {"status_code": 43, "status_message": "backend"}},
        {"status": 429},
        {"drop": True},
        {"raw": b"{not json", "status": 200},
    ],
)
def test_transient_failures_are_retried_then_succeed(client, tmdb_double, fault):
    # given two failures, then a healthy TMDb
    tmdb_double.fail("configuration", times=2, **fault)
    # when
    body = client.get("configuration")
    # then
    assert "images" in body
    assert tmdb_double.count("configuration") == 3


def test_retries_are_capped_in_count(client, tmdb_double, settings):
    # given
    settings.TMDB_MAX_RETRIES = 2
    tmdb_double.fail("configuration", status=502, times=None)
    # when / then
    with pytest.raises(TMDbUnavailable):
        client.get("configuration")
    assert tmdb_double.count("configuration") == 3


def test_retry_after_is_honoured(client, tmdb_double, settings):
    # given
    settings.TMDB_TIME_BUDGET = 3.0
    tmdb_double.fail("configuration", status=429, retry_after=1, tmdb_code=25)
    # when
    started = time.monotonic()
    client.get("configuration")
    # then
    assert time.monotonic() - started >= 0.95
    assert tmdb_double.count("configuration") == 2


def test_retry_after_beyond_the_budget_gives_up_at_once(client, tmdb_double, settings):
    # given
    settings.TMDB_TIME_BUDGET = 1.0
    tmdb_double.fail("configuration", status=429, retry_after=120, tmdb_code=25)
    # when
    started = time.monotonic()
    with pytest.raises(TMDbRateLimited) as caught:
        client.get("configuration")
    # then
    assert time.monotonic() - started < 0.5
    assert caught.value.retry_after == 120
    assert tmdb_double.count("configuration") == 1


def test_slow_tmdb_is_bounded_by_the_time_budget(client, tmdb_double, settings):
    # given
    settings.TMDB_READ_TIMEOUT = 0.3
    settings.TMDB_TIME_BUDGET = 0.8
    tmdb_double.fail("configuration", delay=2.0, status=200, times=None)
    # when
    started = time.monotonic()
    with pytest.raises(TMDbUnavailable):
        client.get("configuration")
    # then
    assert time.monotonic() - started < 1.5


def test_redirect_to_another_host_is_not_followed(client, tmdb_double):
    tmdb_double.fail("configuration", redirect_to="http://evil.example.com/3/configuration")
    with pytest.raises(TMDbUnavailable, match="another host"):
        client.get("configuration")
    assert tmdb_double.count() == 1


def test_redirect_on_the_same_host_is_followed(client, tmdb_double):
    tmdb_double.fail("movie/popular", redirect_to=f"{tmdb_double.base_url}/configuration")
    body = client.get("movie/popular")
    assert "images" in body


def test_connection_refused_is_unavailable(settings):
    settings.TMDB_BASE_URL = "http://127.0.0.1:9/3"
    settings.TMDB_API_KEY = "k"
    with pytest.raises(TMDbUnavailable):
        BaseClient().get("configuration")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected
