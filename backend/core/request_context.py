"""Per-request context (the request id) shared with logging through a context variable."""

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_request: ContextVar[object | None] = ContextVar("request", default=None)

# Accept a caller's id only if it is short and printable; anything else is replaced.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def new_request_id(candidate: str | None = None) -> str:
    if candidate and _VALID_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


def set_request_id(value: str | None):
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def get_request_id() -> str | None:
    return _request_id.get()


def set_current_request(request) -> object:
    """The request being served (read by code that charges per-client budgets); returns a token."""
    return _request.set(request)


def reset_current_request(token) -> None:
    _request.reset(token)


def get_current_request():
    """The request being served, or None outside a request (commands, tasks)."""
    return _request.get()
