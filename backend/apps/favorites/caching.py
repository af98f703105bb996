"""Cache keys for per-user computed data, versioned by a per-user namespace bumped on every change."""

from django.http import HttpResponse

from core import cache
from core.cache import keys
from core.cache.ttl import TTL

# Keys and lifetimes live in core.cache.keys and core.cache.ttl. Every key below carries the
# user's namespace version, so a bump makes all of that user's cached aggregates unreachable at once.
STATS_TTL = TTL.QUERY_USER_STATS
FOR_YOU_TTL = TTL.QUERY_FOR_YOU
HISTORY_STATS_TTL = TTL.QUERY_HISTORY_STATS
PAGES_TTL = TTL.QUERY_USER_PAGES


def user_namespace(user_id: int) -> str:
    return keys.user_data_namespace(user_id)


def _user_version(user_id: int) -> int:
    # Read from Redis every time: a user's change shows on their next request, whichever worker.
    return cache.namespace_version(user_namespace(user_id), reuse_for=0)


def stats_key(user_id: int) -> str:
    return keys.user_stats(user_id, _user_version(user_id))


def for_you_key(user_id: int, *, include_adult: bool) -> str:
    return keys.user_for_you(user_id, _user_version(user_id), include_adult=include_adult)


def history_stats_key(user_id: int) -> str:
    return keys.user_history_stats(user_id, _user_version(user_id))


def invalidate_user(user_id: int) -> None:
    """The user's cached aggregates, pages and flags are stale (see core.cache.invalidate_user)."""
    cache.invalidate_user(user_id)


def page_lookup(request, *, list_name: str, known: frozenset[str]) -> tuple[HttpResponse | None, str | None]:
    """(the cached page, None) on a hit; (None, the key to store the page under) on a miss.

    One page of the user's `list_name` is kept per data version and query (the parameters in
    `known`: any other cannot change it), so a hit costs no SQL. The version is the one the
    request's authentication read (one round trip for both); without it (the cache is away) or
    without a bearer token that authenticates, nothing is cached: (None, None)."""
    from apps.authentication.authentication import bearer_of

    bearer = bearer_of(request)  # None: the view answers (401)
    if bearer is None or bearer.version is None:
        return None, None
    wanted = known
    query = keys.normalize_query(
        (name, value) for name, values in request.GET.lists() if name in wanted for value in values
    )
    # The catalog's versions too: a renamed movie shows in the list as it does everywhere else.
    catalog = ".".join(map(str, cache.namespace_versions([keys.NS_CATALOG, keys.NS_CATALOG_LISTS])))
    key = keys.user_entries_page(
        bearer.principal.user_id, bearer.version, list_name=list_name, query=f"{query}#{catalog}"
    )
    stored = cache.get(key, level="query", l1=True)
    if stored is None:
        return None, key
    body, content_type = stored
    return HttpResponse(body, content_type=content_type), None


def store_page(key: str, response) -> None:
    """Keeps a rendered 200 page (see page_lookup); anything else is not kept."""
    if response.status_code != 200 or response.streaming:
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    value = (bytes(response.content), response.get("Content-Type", "application/json"))
    cache.set(key, value, ttl=PAGES_TTL, level="query", l1=True)
