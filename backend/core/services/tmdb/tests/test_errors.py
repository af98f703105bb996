"""TMDb error bodies map to the typed error family."""

import pytest

from core.services.tmdb.errors import (
    TMDbBadRequest,
    TMDbNotFound,
    TMDbRateLimited,
    TMDbUnauthorized,
    TMDbUnavailable,
    error_from_response,
)


@pytest.mark.parametrize(
    ("http_status", "tmdb_code", "expected"),
    [
        (404, 34, TMDbNotFound),
        (404, 6, TMDbNotFound),
        (401, 7, TMDbUnauthorized),
        (401, 10, TMDbUnauthorized),
        (429, 25, TMDbRateLimited),
        (504, 24, TMDbUnavailable),
        (502, 43, TMDbUnavailable),
        (503, 46, TMDbUnavailable),
        (422, 22, TMDbBadRequest),
        (422, 20, TMDbBadRequest),
        (500, None, TMDbUnavailable),
        (429, None, TMDbRateLimited),
        (404, None, TMDbNotFound),
        (400, None, TMDbBadRequest),
    ],
)
def test_error_class_follows_tmdb_code_then_http_status(http_status, tmdb_code, expected):
    # given
    body = {"status_code": tmdb_code, "status_message": "msg"} if tmdb_code else "<html>oops</html>"
    # when
    error = error_from_response(http_status, body, path="movie/1")
    # then
    assert type(error) is expected
    assert error.tmdb_code == tmdb_code
    assert error.http_status == http_status


def test_error_keeps_tmdb_message_and_retry_after():
    error = error_from_response(429, {"status_code": 25, "status_message": "Slow down"}, retry_after=3.0)
    assert error.message == "Slow down"
    assert error.retry_after == 3.0
    assert "tmdb_code=25" in str(error)


def test_rate_limited_is_a_kind_of_unavailable():
    assert issubclass(TMDbRateLimited, TMDbUnavailable)
