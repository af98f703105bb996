"""The two-level machinery behind the cache API: L1 memory, L2 Redis, single flight, stale-while-revalidate.

What L2 stores is an entry tuple (tag, value, fresh_until, error): `fresh_until` is a wall-clock
soft expiry shared by every process, inside a longer hard TTL, so an expired value can still be
served while exactly one caller (holding a short `add()` lock) recomputes it.
"""

import contextlib
import logging
import pickle
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted

from . import keys, stats
from .backends import RedisCache
from .memory import MISSING, LocalMemoryCache

logger = logging.getLogger("core.cache")

TAG = "mnx-e1"
HIT, MISS, STALE, BYPASS = "HIT", "MISS", "STALE", "BYPASS"
L1_LEVELS = frozenset({"view"})  # levels that use L1 unless the caller says otherwise
_POLL_SECONDS = 0.01

_bypass: ContextVar[bool] = ContextVar("cache_bypass", default=False)
_memory: LocalMemoryCache | None = None
_versions: LocalMemoryCache | None = None
_setup_lock = threading.Lock()


class L2Error(Exception):
    """Redis failed or is being skipped; the caller falls through to the source."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """A value and how it was found: status HIT/MISS/STALE/BYPASS, tier "L1"/"L2" or None."""

    value: Any
    status: str
    tier: str | None = None


# L1 -------------------------------------------------------------------------------
def memory() -> LocalMemoryCache:
    global _memory
    if _memory is None:
        with _setup_lock:
            if _memory is None:
                _memory = LocalMemoryCache(
                    max_entries=settings.CACHE_L1_MAX_ENTRIES, max_item_bytes=settings.CACHE_L1_MAX_ITEM_BYTES
                )
    return _memory


def versions() -> LocalMemoryCache:
    global _versions
    if _versions is None:
        with _setup_lock:
            if _versions is None:
                _versions = LocalMemoryCache(max_entries=settings.CACHE_L1_MAX_ENTRIES * 4)
    return _versions


def reset_local() -> None:
    """Forget this process's L1 and namespace versions (tests; a failed bump)."""
    memory().clear()
    versions().clear()


# L2 -------------------------------------------------------------------------------
def _client():
    backend = caches["default"]
    return backend.client if isinstance(backend, RedisCache) else backend


def l2_call(operation: str, *args, **kwargs):
    try:
        return getattr(_client(), operation)(*args, **kwargs)
    except ConnectionInterrupted as exc:
        raise L2Error(str(exc)) from exc


# What unpickling a value written by another release can raise (a renamed class, a moved module).
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError)


def l2_get(key: str) -> Any:
    """The stored value or MISSING; a value this release cannot read is a miss, never a 500."""
    try:
        return l2_call("get", key, MISSING)
    except UNREADABLE:
        logger.warning("cache: %s holds a value this release cannot read; treating it as a miss", key)
        return MISSING


def breaker_state() -> str:
    backend = caches["default"]
    return backend.breaker.state if isinstance(backend, RedisCache) else "closed"


def now() -> float:
    """Wall-clock seconds: soft expiries are compared across processes, so not monotonic."""
    return time.time()


# BYPASS ---------------------------------------------------------------------------
@contextlib.contextmanager
def bypass() -> Iterator[None]:
    """Within this block reads and writes skip the cache (invalidations still happen)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


def bypassed() -> bool:
    return _bypass.get() or not settings.CACHE_ENABLED


# ENTRIES --------------------------------------------------------------------------
def _entry(value: Any, fresh_for: float | None, error: BaseException | None = None) -> tuple:
    """`fresh_for=None` means fresh until evicted or deleted."""
    fresh_until = float("inf") if fresh_for is None else now() + fresh_for
    return (TAG, value, fresh_until, error)


def _is_entry(raw: Any) -> bool:
    return type(raw) is tuple and len(raw) == 4 and raw[0] == TAG


def fresh(raw: Any) -> Any:
    """The value of a stored entry that is still fresh and not a cached failure, else MISSING."""
    if _is_entry(raw) and raw[2] > now() and raw[3] is None:
        return raw[1]
    return MISSING


def _unwrap(entry: tuple) -> Any:
    if entry[3] is not None:
        raise entry[3]
    return entry[1]


def jittered(ttl: float) -> float:
    """Shortens a TTL by up to CACHE_TTL_JITTER (a fraction) so keys written together expire apart."""
    return ttl * (1 - settings.CACHE_TTL_JITTER * random.random())  # noqa: S311 - not crypto


def _store(key: str, entry: tuple, *, hard_ttl: float | None, level: str, l1: bool) -> None:
    if l1:
        _remember(key, entry)
    try:
        l2_call("set", key, entry, timeout=None if hard_ttl is None else max(1, int(hard_ttl)))
    except L2Error:
        stats.record(level, "l2", "error")
    except (pickle.PicklingError, TypeError, AttributeError):
        logger.exception("cache: value for %s cannot be pickled; not stored", key)


def _remember(key: str, entry: tuple) -> None:
    remaining = entry[2] - now()
    memory().set(key, entry, min(settings.CACHE_L1_TTL, remaining))


# THE ALGORITHM --------------------------------------------------------------------
def fetch(
    key: str,
    producer: Callable[[], Any],
    *,
    ttl: float | None,
    level: str = "service",
    l1: bool | None = None,
    stale_ttl: float | None = None,
    negative_ttl: float | None = None,
    negative_on: tuple[type[BaseException], ...] = (),
    ttl_for: Callable[[Any], float] | None = None,
    wait: float | None = None,
) -> Lookup:
    """The cached value for `key` (see `core.cache.get_or_set`), with how it was found."""
    if bypassed():
        return Lookup(producer(), BYPASS)
    use_l1 = level in L1_LEVELS if l1 is None else l1
    if use_l1:
        entry = memory().get(key)
        if entry is not MISSING:
            stats.record(level, "l1", "hit")
            return Lookup(_unwrap(entry), HIT, "L1")
    policy = _Policy(ttl, level, use_l1, stale_ttl, negative_ttl, negative_on, ttl_for)
    try:
        entry = l2_get(key)
    except L2Error:
        stats.record(level, "l2", "error")
        return policy.during_outage(key, producer)
    if _is_entry(entry):
        if entry[2] > now():
            stats.record(level, "l2", "hit")
            if use_l1:
                _remember(key, entry)
            return Lookup(_unwrap(entry), HIT, "L2")
        return _revalidate(key, entry, producer, policy)
    stats.record(level, "l2", "miss")
    return _fill(key, producer, policy, settings.CACHE_WAIT_TIMEOUT if wait is None else wait)


@dataclass(frozen=True, slots=True)
class _Policy:
    ttl: float | None
    level: str
    l1: bool
    stale_ttl: float | None
    negative_ttl: float | None
    negative_on: tuple
    ttl_for: Callable[[Any], float] | None

    def produce_and_store(self, key: str, producer: Callable[[], Any]) -> Any:
        try:
            value = producer()
        except self.negative_on as exc:
            if self.negative_ttl and _picklable(exc):
                entry = _entry(None, self.negative_ttl, exc)
                _store(key, entry, hard_ttl=self.negative_ttl, level=self.level, l1=self.l1)
            raise
        fresh = self.ttl_for(value) if self.ttl_for else self.ttl
        if fresh is None:
            _store(key, _entry(value, None), hard_ttl=None, level=self.level, l1=self.l1)
        elif fresh > 0:
            stale = fresh if self.stale_ttl is None else self.stale_ttl
            entry = _entry(value, jittered(fresh))
            _store(key, entry, hard_ttl=fresh + stale, level=self.level, l1=self.l1)
        return value

    def during_outage(self, key: str, producer: Callable[[], Any]) -> Lookup:
        """Redis is unavailable: every level keeps a CACHE_L1_TTL copy in this process's memory, so
        the database and TMDb see at most one computation per key, process and L1 TTL meanwhile."""
        if not self.l1:
            entry = memory().get(key)
            if entry is not MISSING:
                stats.record(self.level, "l1", "hit")
                return Lookup(_unwrap(entry), HIT, "L1")
        value = producer()
        fresh = self.ttl_for(value) if self.ttl_for else self.ttl
        if fresh is None or fresh > 0:
            _remember(key, _entry(value, fresh))
        return Lookup(value, MISS)


def _revalidate(key: str, entry: tuple, producer: Callable[[], Any], policy: _Policy) -> Lookup:
    """A stale entry: one caller refreshes it; everyone else (and the refresher on failure) gets it."""
    token = _acquire(key)
    if token is None:
        stats.record(policy.level, "l2", "stale")
        return Lookup(_unwrap(entry), STALE, "L2")
    try:
        return Lookup(policy.produce_and_store(key, producer), MISS)
    except policy.negative_on:
        raise  # an answer ("not found"), cached as such; not an outage to paper over
    except Exception:
        logger.warning("cache: refreshing %s failed; serving the stale value", key, exc_info=True)
        stats.record(policy.level, "l2", "stale")
        return Lookup(_unwrap(entry), STALE, "L2")
    finally:
        _release(key, token)


def _fill(key: str, producer: Callable[[], Any], policy: _Policy, wait: float) -> Lookup:
    """A miss: the lock holder computes; the others wait briefly for its value, then compute anyway."""
    token = _acquire(key)
    if token is None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
            try:
                entry = l2_get(key)
            except L2Error:
                break
            if _is_entry(entry):
                if policy.l1:
                    _remember(key, entry)
                return Lookup(_unwrap(entry), HIT, "L2")
        return Lookup(policy.produce_and_store(key, producer), MISS)
    try:
        return Lookup(policy.produce_and_store(key, producer), MISS)
    finally:
        _release(key, token)


def _acquire(key: str) -> str | None:
    """The single-flight lock token, or None when another caller holds it (an L2 error means go)."""
    token = uuid.uuid4().hex
    try:
        return token if l2_call("add", keys.lock(key), token, timeout=settings.CACHE_LOCK_TIMEOUT) else None
    except L2Error:
        return token


def _release(key: str, token: str) -> None:
    lock_key = keys.lock(key)
    with contextlib.suppress(L2Error):
        if l2_get(lock_key) == token:
            l2_call("delete", lock_key)


def _picklable(value: Any) -> bool:
    try:
        pickle.loads(pickle.dumps(value))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - anything unpicklable is simply not negative-cached
        return False
    return True


# PLAIN OPERATIONS -----------------------------------------------------------------
def get(key: str, *, level: str = "service", default: Any = None, l1: bool | None = None) -> Any:
    if bypassed():
        return default
    use_l1 = level in L1_LEVELS if l1 is None else l1
    entry = memory().get(key) if use_l1 else MISSING
    tier = "l1"
    if entry is MISSING:
        tier = "l2"
        try:
            entry = l2_get(key)
        except L2Error:
            stats.record(level, "l2", "error")
            return default
    if not _is_entry(entry) or entry[2] <= now() or entry[3] is not None:
        stats.record(level, tier, "miss")
        return default
    stats.record(level, tier, "hit")
    if use_l1 and tier == "l2":  # kept here for the next CACHE_L1_TTL seconds
        _remember(key, entry)
    return entry[1]


def set(
    key: str,
    value: Any,
    *,
    ttl: float | None,
    level: str = "service",
    stale_ttl: float = 0,
    l1: bool | None = None,
) -> None:
    if bypassed():
        return
    use_l1 = level in L1_LEVELS if l1 is None else l1
    hard_ttl = None if ttl is None else ttl + stale_ttl
    _store(key, _entry(value, ttl), hard_ttl=hard_ttl, level=level, l1=use_l1)


def delete(key: str) -> None:
    memory().delete(key)
    try:
        l2_call("delete", key)
    except L2Error:
        stats.record("service", "l2", "error")
