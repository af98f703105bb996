"""TMDb's own error family, rendered in TMDb's body: {"success": false, "status_code", "status_message"}."""

from __future__ import annotations


class TMDbCompatError(Exception):
    """An error answered in TMDb's shape; `tmdb_code` is TMDb's status_code, `http_status` the HTTP one."""

    http_status = 400
    tmdb_code = 0
    message = ""
    retry_after: int | None = None

    def body(self) -> dict:
        return {"success": False, "status_code": self.tmdb_code, "status_message": self.message}


class InvalidApiKey(TMDbCompatError):
    http_status = 401
    tmdb_code = 7
    message = "Invalid API key: You must be granted a valid key."


class ResourceNotFound(TMDbCompatError):
    http_status = 404
    tmdb_code = 34
    message = "The resource you requested could not be found."


class InvalidPage(TMDbCompatError):
    http_status = 400
    tmdb_code = 22
    message = "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."


class RateLimited(TMDbCompatError):
    http_status = 429
    tmdb_code = 25

    def __init__(self, *, limit: int, retry_after: int):
        super().__init__(limit)
        self.retry_after = retry_after
        self.message = f"Your request count (#) is over the allowed limit of ({limit})."


class ServiceOffline(TMDbCompatError):
    http_status = 503
    tmdb_code = 9
    message = "Service offline - This service is temporarily offline, try again later."

    def __init__(self, *, retry_after: int | None = None):
        super().__init__(retry_after)
        self.retry_after = retry_after


class InvalidParameters(TMDbCompatError):
    http_status = 422
    tmdb_code = 5
    message = "Invalid parameters: Your request parameters are incorrect."
