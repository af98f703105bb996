"""Per-client budget of interactive TMDb calls, so one client cannot spend the shared TMDb quota.

A read that needs TMDb (an unknown movie, a list page not cached) charges the client that asked:
a signed-in user by user id, anyone else by address (DRF's rule, through NUM_PROXIES). Budgets are
per minute (`TMDB_CLIENT_BUDGET_ANON`, `TMDB_CLIENT_BUDGET_USER`; 0 disables) and counted in Redis
with atomic increments, so every worker sees the same count. Sync jobs and tasks (no request) are
not charged; while Redis cannot answer, nobody is refused.
"""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.cache import counters, keys
from core.exceptions import Throttled
from core.request_context import get_current_request

WINDOW_SECONDS = 60


def charge() -> None:
    """Count one upstream call for the current client; Throttled (429) when over its budget."""
    request = get_current_request()
    if request is None:
        return
    client, limit = _client(request)
    if not limit:
        return
    window = int(time.time() // WINDOW_SECONDS)
    used = counters.hit(keys.upstream_budget(client, window), window=WINDOW_SECONDS * 2)
    if used is not None and used > limit:
        retry_after = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        raise Throttled(
            "Too many requests that need the movie data provider; retry later.", retry_after=retry_after
        )


def _client(request) -> tuple[str, int]:
    """The client a view named (`request.upstream_client`, e.g. a TMDb-compatible API key) or
    ("user:<id>", user budget) for a bearer token, else ("addr:<ip>", anonymous budget).

    The token is read without checking it: a call is only charged after authentication let the
    request through (a bad token is a 401 before any TMDb call)."""
    named = getattr(request, "upstream_client", None)  # a caller the view identified (an API key)
    if named:
        return named, settings.TMDB_CLIENT_BUDGET_USER
    user = getattr(request, "user", None)
    if getattr(user, "is_staff", False):  # staff resyncing from the admin: their work, not abuse
        return f"staff:{user.pk}", 0
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Bearer "):
        try:
            claims = jwt.decode(header[7:], options={"verify_signature": False})
            user_id = claims.get(settings.SIMPLE_JWT.get("USER_ID_CLAIM", "user_id"))
        except jwt.PyJWTError:
            user_id = None
        if user_id is not None:
            return f"user:{user_id}", settings.TMDB_CLIENT_BUDGET_USER
    return f"addr:{BaseThrottle().get_ident(request)}", settings.TMDB_CLIENT_BUDGET_ANON
