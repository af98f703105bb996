"""Cache keys for per-user computed data, versioned by a per-user namespace bumped on every change."""

import logging

from django.db import transaction

from core import cache

logger = logging.getLogger(__name__)

# Bumped on every write to one user's favorites or watchlist: every key below carries its version,
# so a bump makes all of that user's cached aggregates unreachable at once (they expire by TTL).
USER_NAMESPACE = "favorites:user:{user_id}"
STATS_KEY = "favorites:stats:v1:u{user_id}:n{version}"
FOR_YOU_KEY = "favorites:for-you:v1:u{user_id}:n{version}:a{adult:d}"

# Stats change only through this app, which invalidates them explicitly: the TTL is a safety net.
STATS_TTL = 60 * 60
# Recommendations also depend on related movies stored by catalog syncs, which do not bump
# the user namespace; a short TTL bounds how long a newly synced relation stays unseen.
FOR_YOU_TTL = 10 * 60


def user_namespace(user_id: int) -> str:
    return USER_NAMESPACE.format(user_id=user_id)


def _user_version(user_id: int) -> int:
    # Read from Redis every time: a user's change shows on their next request, whichever worker.
    return cache.namespace_version(user_namespace(user_id), reuse_for=0)


def stats_key(user_id: int) -> str:
    return STATS_KEY.format(user_id=user_id, version=_user_version(user_id))


def for_you_key(user_id: int, *, include_adult: bool) -> str:
    version = _user_version(user_id)
    return FOR_YOU_KEY.format(user_id=user_id, version=version, adult=include_adult)


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
