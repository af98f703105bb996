"""The cache layer's public API: every cache read and write in the product goes through it.

    get_or_set(key, producer, ttl=..., level="service")  -> value (a cached None is a hit)
    get(key, level=...) / set(key, value, ttl=..., level=...) / delete(key)
    namespace_version(name) / bump_namespace(name)        -> versioned key families
    invalidate_movie(tmdb_id) / invalidate_catalog_lists() -> for the services that write

Levels are "view" (rendered responses; L1 + L2), "service" (TMDb responses; L2, L1 on request)
and "query" (per-user aggregates; L2). Keys come from `core.cache.keys`. See docs/caching.md.
"""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from . import keys, layers, namespaces
from .layers import bypass, bypassed, reset_local

T = TypeVar("T")
logger = logging.getLogger(__name__)
LEVELS = ("view", "service", "query")

__all__ = [
    "LEVELS",
    "USER_CHANGE_HOOKS",
    "bump_namespace",
    "bypass",
    "bypassed",
    "delete",
    "get",
    "get_or_set",
    "invalidate_catalog",
    "invalidate_catalog_lists",
    "invalidate_movie",
    "invalidate_user",
    "keys",
    "namespace_version",
    "namespace_versions",
    "reset_local",
    "set",
]


def get_or_set(
    key: str,
    producer: Callable[[], T],
    *,
    ttl: float | None,
    level: str = "service",
    l1: bool | None = None,
    stale_ttl: float | None = None,
    negative_ttl: float | None = None,
    negative_on: tuple[type[BaseException], ...] = (),
    wait: float | None = None,
    ttl_for: Callable[[T], float] | None = None,
) -> T:
    """Return the cached value for `key`, computing and storing it on a miss.

    `ttl` is how long the value is fresh (jittered down by up to CACHE_TTL_JITTER; None: until
    evicted or deleted). After that it
    is kept `stale_ttl` more seconds (default: `ttl`) and served stale while one caller refreshes
    it; if the refresh fails, the stale value is served. On a miss one caller computes while the
    others wait up to `wait` s (CACHE_WAIT_TIMEOUT) for its result. `l1=True` also keeps the value
    in this process's memory for CACHE_L1_TTL s (default for level "view"). When the producer
    raises one of `negative_on` and `negative_ttl` is set, the failure is cached that long and
    re-raised to every caller meanwhile. `ttl_for(value)`, when given, decides the fresh lifetime of
    each computed value (e.g. seconds for an answer known to be incomplete).
    """
    return layers.fetch(
        key,
        producer,
        ttl=ttl,
        level=level,
        l1=l1,
        stale_ttl=stale_ttl,
        negative_ttl=negative_ttl,
        negative_on=negative_on,
        wait=wait,
        ttl_for=ttl_for,
    ).value


def get(key: str, *, level: str = "service", default: Any = None, l1: bool | None = None) -> Any:
    """The fresh cached value, or `default` (None) when absent (get_or_set tells a cached None from a miss)."""
    return layers.get(key, level=level, default=default, l1=l1)


def set(
    key: str,
    value: Any,
    *,
    ttl: float | None,
    level: str = "service",
    stale_ttl: float = 0,
    l1: bool | None = None,
) -> None:
    layers.set(key, value, ttl=ttl, level=level, stale_ttl=stale_ttl, l1=l1)


def delete(key: str) -> None:
    """Removes the key from L2 and this process's L1 (other processes' L1 within CACHE_L1_TTL)."""
    layers.delete(key)


def namespace_version(name: str, *, reuse_for: float | None = None) -> int:
    """The current version of a key family; build it into keys so a bump orphans them all.

    Other processes' bumps are seen within `reuse_for` seconds (default CACHE_NAMESPACE_L1_TTL);
    pass 0 where a write must show on the very next request whichever process serves it."""
    return namespaces.namespace_version(name, reuse_for=reuse_for)


def namespace_versions(names: list[str]) -> list[int]:
    """Several families' versions in one read (other processes' bumps seen within CACHE_NAMESPACE_L1_TTL)."""
    return namespaces.namespace_versions(names)


def bump_namespace(name: str) -> int:
    """Invalidate every key built with this namespace's version."""
    return namespaces.bump_namespace(name)


def invalidate_catalog_lists() -> None:
    """Every cached list of movies (local catalog, popular, genres' movies, …) is recomputed."""
    bump_namespace(keys.NS_CATALOG_LISTS)


def invalidate_movie(tmdb_id: int) -> None:
    """A movie changed: its cached detail responses go, and so do all lists (it may be in any)."""
    bump_namespace(keys.movie_namespace(tmdb_id))
    invalidate_catalog_lists()


def invalidate_catalog() -> None:
    """Everything rendered from the catalog (e.g. after a genre sync renamed genres)."""
    bump_namespace(keys.NS_CATALOG)


def invalidate_user(user_id: int, *, account: bool = False) -> None:
    """What is cached about one user's data (their lists, stats, flags) is stale, and with
    `account` also their principal (account, sessions, preferences): now, and again once the
    open transaction commits. The second bump closes the window in which a reader could cache
    the state before the commit under the new version."""
    names = [keys.user_data_namespace(user_id)]
    if account:
        names.append(keys.user_account_namespace(user_id))
    if transaction.get_connection().in_atomic_block:
        _bump_quietly(user_id, names, committed=False)
        transaction.on_commit(lambda: _bump_quietly(user_id, names, committed=True), robust=True)
    else:
        _bump_quietly(user_id, names, committed=True)


USER_CHANGE_HOOKS: list = []  # hook(user_id, *, committed): e.g. drop per-process copies (accounts)


def _bump_quietly(user_id: int, names: list[str], *, committed: bool) -> None:
    """The write this follows has succeeded: a cache outage must not turn it into an error."""
    for name in names:
        try:
            bump_namespace(name)
        except Exception:  # any cache failure; the TTL bounds the staleness
            logger.warning("Could not invalidate cache namespace %s", name, exc_info=True)
    for hook in USER_CHANGE_HOOKS:
        try:
            hook(user_id, committed=committed)
        except Exception:  # as above: logged, never the write's failure
            logger.warning("Could not announce a change of user %s", user_id, exc_info=True)
