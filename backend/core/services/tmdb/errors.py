"""The TMDb error family, built from TMDb's `status_code` / `status_message` error body."""

from __future__ import annotations

# TMDb's own status codes (https://developer.themoviedb.org/docs/errors).
NOT_FOUND_CODES = frozenset({6, 34})
UNAUTHORIZED_CODES = frozenset({3, 7, 10, 14, 17, 30, 31, 33})
RATE_LIMITED_CODES = frozenset({25})
UNAVAILABLE_CODES = frozenset({9, 11, 15, 24, 43, 44, 46})
BAD_REQUEST_CODES = frozenset({5, 18, 19, 20, 22, 23, 47})


class TMDbError(Exception):
    """Base of every TMDb failure; carries the HTTP status and TMDb's own code and message."""

    default_message = "TMDb request failed."

    def __init__(
        self,
        message: str | None = None,
        *,
        http_status: int | None = None,
        tmdb_code: int | None = None,
        retry_after: float | None = None,
        path: str = "",
    ):
        self.message = message or self.default_message
        self.http_status = http_status
        self.tmdb_code = tmdb_code
        self.retry_after = retry_after
        self.path = path
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.tmdb_code is not None:
            parts.append(f"tmdb_code={self.tmdb_code}")
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status}")
        if self.path:
            parts.append(f"path={self.path}")
        return " ".join(parts)


class TMDbNotFound(TMDbError):
    default_message = "The resource you requested could not be found."


class TMDbUnauthorized(TMDbError):
    default_message = "TMDb refused the credentials."


class TMDbBadRequest(TMDbError):
    default_message = "TMDb rejected the request parameters."


class TMDbUnavailable(TMDbError):
    """TMDb is down, slow, unreachable or answered garbage; retry later."""

    default_message = "TMDb is unavailable."


class TMDbRateLimited(TMDbUnavailable):
    default_message = "TMDb rate limit reached."


class TMDbNotConfigured(TMDbUnavailable):
    default_message = "No TMDb credentials are configured."


def error_from_response(
    http_status: int, body: object, *, retry_after: float | None = None, path: str = ""
) -> TMDbError:
    """The typed error for a non-2xx TMDb answer; TMDb's body code wins over the HTTP status."""
    tmdb_code, message = _parse_body(body)
    kwargs = {"http_status": http_status, "tmdb_code": tmdb_code, "retry_after": retry_after, "path": path}
    return _class_for(http_status, tmdb_code)(message, **kwargs)


def _parse_body(body: object) -> tuple[int | None, str | None]:
    if not isinstance(body, dict):
        return None, None
    code = body.get("status_code")
    message = body.get("status_message")
    return (code if isinstance(code, int) else None), (message if isinstance(message, str) else None)


def _class_for(http_status: int, tmdb_code: int | None) -> type[TMDbError]:
    for codes, klass in (
        (NOT_FOUND_CODES, TMDbNotFound),
        (UNAUTHORIZED_CODES, TMDbUnauthorized),
        (RATE_LIMITED_CODES, TMDbRateLimited),
        (UNAVAILABLE_CODES, TMDbUnavailable),
        (BAD_REQUEST_CODES, TMDbBadRequest),
    ):
        if tmdb_code in codes:
            return klass
    if http_status == 404:
        return TMDbNotFound
    if http_status in (401, 403):
        return TMDbUnauthorized
    if http_status == 429:
        return TMDbRateLimited
    if http_status >= 500:
        return TMDbUnavailable
    return TMDbBadRequest
