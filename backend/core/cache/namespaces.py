"""Namespace versions: families of keys invalidated together by bumping one counter in Redis."""

import time

from django.conf import settings

from . import keys, stats
from .layers import MISSING, L2Error, l2_call, l2_get, reset_local, versions

_pending_bumps: set[str] = set()


def _initial_version() -> int:
    """A fresh namespace starts at the current time in ms, so an evicted counter never goes back
    to a number whose keys may still be alive."""
    return time.time_ns() // 1_000_000


def namespace_version(name: str) -> int:
    """The family's current version, read from Redis on every call unless CACHE_NAMESPACE_L1_TTL > 0,
    so a bump in any process is seen by every other at once; the local copy answers only while
    Redis cannot (or, with a positive TTL, for that long)."""
    key = keys.namespace(name)
    local = versions()
    if settings.CACHE_NAMESPACE_L1_TTL > 0:
        version = local.get(key)
        if version is not MISSING:
            return version
    try:
        _flush_pending_bumps()
        version = l2_get(key)
        if version is MISSING:
            l2_call("add", key, _initial_version(), timeout=None)
            version = l2_get(key)
    except L2Error:
        stats.record("service", "l2", "error")
        version = local.get(key)
    version = 0 if version is MISSING else int(version)
    local.set(key, version, settings.CACHE_L1_TTL)
    return version


def bump_namespace(name: str) -> int:
    """A new version for the family: every key built with the old one is unreachable everywhere
    within CACHE_L1_TTL seconds (at once in this process)."""
    key = keys.namespace(name)
    try:
        version = _incr_or_start(key)
    except L2Error:
        # Redis is away: forget everything local now, and bump for real as soon as it answers.
        _pending_bumps.add(key)
        reset_local()
        return 0
    versions().set(key, version, settings.CACHE_L1_TTL)
    return version


def _incr_or_start(key: str) -> int:
    try:
        return int(l2_call("incr", key))
    except ValueError:
        version = _initial_version()
        l2_call("set", key, version, timeout=None)
        return version


def _flush_pending_bumps() -> None:
    while _pending_bumps:
        key = _pending_bumps.pop()
        try:
            _incr_or_start(key)
        except L2Error:
            _pending_bumps.add(key)
            raise
