"""Cache keys for per-user computed data, versioned by a per-user namespace bumped on every change."""

import logging

from django.db import transaction

from core import cache
from core.cache import keys
from core.cache.ttl import TTL

logger = logging.getLogger(__name__)

# Keys and lifetimes live in core.cache.keys and core.cache.ttl. Every key below carries the
# user's namespace version, so a bump makes all of that user's cached aggregates unreachable at once.
STATS_TTL = TTL.QUERY_USER_STATS
FOR_YOU_TTL = TTL.QUERY_FOR_YOU
HISTORY_STATS_TTL = TTL.QUERY_HISTORY_STATS


def user_namespace(user_id: int) -> str:
    return keys.user_favorites_namespace(user_id)


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
    """Makes the user's cached aggregates stale now, and again once the open transaction commits.

    The second bump closes the window in which a concurrent reader could cache data computed
    from the state before the commit under the new version.
    """
    namespace = user_namespace(user_id)
    _bump(namespace)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(namespace), robust=True)


def _bump(namespace: str) -> None:
    """The write this follows has succeeded: a cache outage must not turn it into an error."""
    try:
        cache.bump_namespace(namespace)
    except Exception:  # any cache failure; the TTL bounds the staleness
        logger.warning("Could not invalidate cache namespace %s", namespace, exc_info=True)
