"""Namespace versions: families of keys invalidated together by bumping one counter in Redis."""

import time
from collections.abc import Sequence

from django.conf import settings

from . import keys, stats
from .layers import MISSING, UNREADABLE, L2Error, bypassed, fresh, l2_call, l2_get, reset_local, versions
from .ttl import TTL

_pending_bumps: set[str] = set()


def _initial_version() -> int:
    """A fresh namespace starts at the current time in ms, so an evicted counter never goes back
    to a number whose keys may still be alive."""
    return time.time_ns() // 1_000_000


def namespace_version(name: str, *, reuse_for: float | None = None) -> int:
    """The family's current version (see `namespace_versions`)."""
    return namespace_versions((name,), reuse_for=reuse_for)[0]


def namespace_versions(names: Sequence[str], *, reuse_for: float | None = None) -> list[int]:
    """The families' current versions, in order, with at most one Redis round trip (MGET).

    A version read from Redis is reused by this process for `reuse_for` seconds (default
    CACHE_NAMESPACE_L1_TTL): that is how long a bump made by another process can go unseen here.
    0 reads Redis on every call (per-user data, where a user's own write must show on their next
    request whichever worker serves it). A bump made by this process is seen here at once. While
    Redis cannot answer, the last version read is used for up to CACHE_L1_TTL seconds.
    """
    reuse = settings.CACHE_NAMESPACE_L1_TTL if reuse_for is None else reuse_for
    local = versions()
    now = local.now()
    found: dict[str, int] = {}
    wanted = [keys.namespace(name) for name in names]
    if reuse > 0:
        for key in wanted:
            cached = local.get(key)
            if cached is not MISSING and now - cached[1] < reuse:
                found[key] = cached[0]
    missing = [key for key in dict.fromkeys(wanted) if key not in found]
    if missing:
        found.update(_read(missing, now))
    return [found[key] for key in wanted]


def _read(wanted: list[str], now: float) -> dict[str, int]:
    local = versions()
    try:
        _flush_pending_bumps()
        read = l2_call("get_many", wanted) if len(wanted) > 1 else _get_one(wanted[0])
        for key in wanted:
            if read.get(key) is None:
                l2_call("add", key, _initial_version(), timeout=TTL.NAMESPACE)
                read[key] = l2_get(key)
    except L2Error:
        stats.record("service", "l2", "error")
        read = {}
        for key in wanted:
            cached = local.get(key)
            read[key] = 0 if cached is MISSING else cached[0]
        return read
    result = {}
    for key in wanted:
        version = int(read[key]) if read[key] not in (None, MISSING) else 0
        local.set(key, (version, now), settings.CACHE_L1_TTL)
        result[key] = version
    return result


def _get_one(key: str) -> dict:
    value = l2_get(key)
    return {} if value is MISSING else {key: value}


def bump_namespace(name: str) -> int:
    """A new version for the family: seen at once by this process, by every other one within
    CACHE_NAMESPACE_L1_TTL seconds (at once where versions are read with `reuse_for=0`)."""
    key = keys.namespace(name)
    try:
        version = _incr_or_start(key)
    except L2Error:
        # Redis is away: forget everything local now, and bump for real as soon as it answers.
        _pending_bumps.add(key)
        reset_local()
        return 0
    local = versions()
    local.set(key, (version, local.now()), settings.CACHE_L1_TTL)
    return version


def _incr_or_start(key: str) -> int:
    try:
        return int(l2_call("incr", key))
    except ValueError:
        version = _initial_version()
        l2_call("set", key, version, timeout=TTL.NAMESPACE)
        return version


def _flush_pending_bumps() -> None:
    while _pending_bumps:
        key = _pending_bumps.pop()
        try:
            _incr_or_start(key)
        except L2Error:
            _pending_bumps.add(key)
            raise


def versions_and_values(
    names: Sequence[str], extra: Sequence[str]
) -> tuple[list[int], dict[str, object]] | None:
    """Namespaces' current versions, read from Redis (never reused: per-user data), and the fresh
    values cached under `extra` keys, in one round trip (MGET). Absent or expired values are left
    out. None when Redis cannot answer (the caller reads the database instead)."""
    if bypassed():
        return None
    version_keys = [keys.namespace(name) for name in names]
    try:
        _flush_pending_bumps()
        read = l2_call("get_many", [*version_keys, *extra])
        for key in version_keys:
            if read.get(key) is None:
                l2_call("add", key, _initial_version(), timeout=TTL.NAMESPACE)
                read[key] = l2_get(key)
    except L2Error:
        stats.record("service", "l2", "error")
        return None
    except UNREADABLE:
        return None
    versions = [read.pop(key) for key in version_keys]
    if any(version in (None, MISSING) for version in versions):
        return None
    values = {}
    for key, raw in read.items():
        value = fresh(raw)
        if value is not MISSING:
            values[key] = value
    return [int(version) for version in versions], values
