"""The cache layer's public API (minimal first version; the caching issue adds L1, breaker, single flight).

Every cache read and write in the product goes through these functions so the
caching work can change the machinery without touching callers:

    get_or_set(key, producer, ttl=..., level="service")  -> value (None is cached too)
    get(key, level=...) / set(key, value, ttl=..., level=...) / delete(key)
    namespace_version(name) / bump_namespace(name)        -> versioned key families
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache as _cache

T = TypeVar("T")
_MISSING = object()
_NONE = "__mnx_cached_none__"
LEVELS = ("view", "service", "query")


def get(key: str, *, level: str = "service") -> Any:
    """The cached value, or None when absent (get_or_set tells a cached None from a miss)."""
    value = _cache.get(key)
    return None if value == _NONE else value


def set(key: str, value: Any, *, ttl: int, level: str = "service") -> None:
    _cache.set(key, _NONE if value is None else value, timeout=ttl)


def delete(key: str) -> None:
    _cache.delete(key)


def get_or_set(key: str, producer: Callable[[], T], *, ttl: int, level: str = "service") -> T:
    """Return the cached value for `key`, computing and storing it on a miss."""
    value = _cache.get(key, _MISSING)
    if value is not _MISSING:
        return None if value == _NONE else value
    value = producer()
    set(key, value, ttl=ttl, level=level)
    return value


def namespace_version(name: str) -> int:
    version = _cache.get(f"ns:{name}")
    if version is None:
        _cache.add(f"ns:{name}", 1, timeout=None)
        version = _cache.get(f"ns:{name}") or 1
    return int(version)


def bump_namespace(name: str) -> int:
    """Invalidate every key built with this namespace's version."""
    try:
        return int(_cache.incr(f"ns:{name}"))
    except ValueError:
        _cache.set(f"ns:{name}", 2, timeout=None)
        return 2
