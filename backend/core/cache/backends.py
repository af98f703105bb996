"""django-redis with a circuit breaker: a dead or hung Redis costs a few socket timeouts, then nothing.

Every cache user goes through it (the cache layer, DRF throttles, the health probe), so a Redis
outage never adds more than `threshold` socket timeouts per process and cool-down.
"""

import logging
import threading

from django.conf import settings
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

from .breaker import CircuitBreaker

logger = logging.getLogger("core.cache")

# Client methods that talk to Redis (the rest are helpers such as make_key or encode).
GUARDED_METHODS = frozenset(
    {
        "get",
        "set",
        "add",
        "delete",
        "get_many",
        "set_many",
        "delete_many",
        "delete_pattern",
        "incr",
        "decr",
        "has_key",
        "touch",
        "ttl",
        "expire",
        "persist",
        "clear",
        "keys",
        "iter_keys",
    }
)


class CircuitOpenError(ConnectionError):
    """Redis is being skipped for a cool-down after repeated failures."""


def circuit_open() -> ConnectionInterrupted:
    error = ConnectionInterrupted(connection=None)
    error.__cause__ = CircuitOpenError("cache circuit open")
    return error


class GuardedClient:
    """Wraps a django-redis client: refuses calls while the circuit is open, records outcomes."""

    def __init__(self, client, breaker: CircuitBreaker):
        self._client = client
        self.breaker = breaker
        self._wrapped: dict[str, object] = {}

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name not in GUARDED_METHODS:
            return attribute
        wrapper = self._wrapped.get(name)
        if wrapper is None:
            wrapper = self._wrapped[name] = self._guard(attribute)
        return wrapper

    def _guard(self, method):
        breaker = self.breaker

        def guarded(*args, **kwargs):
            if not breaker.allow():
                raise circuit_open()
            try:
                result = method(*args, **kwargs)
            except ConnectionInterrupted:
                breaker.record_failure()
                raise
            except Exception:
                breaker.record_success()  # Redis answered (e.g. incr of a missing key); the error is ours
                raise
            breaker.record_success()
            return result

        return guarded


class RedisCache(DjangoRedisCache):
    """The project's Redis backend: django-redis behind a per-process circuit breaker.

    Ignored exceptions are not logged one by one (a down Redis would flood the log); the breaker
    logs once when it opens and once when it closes.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._log_ignored_exceptions = False
        self.breaker = breaker_for(str(server))
        self._guarded = None

    @property
    def client(self):
        if self._guarded is None:
            self._client = self._client_cls(self._server, self._params, self)
            self._guarded = GuardedClient(self._client, self.breaker)
        return self._guarded


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str) -> CircuitBreaker:
    """One breaker per Redis server per process, shared by every thread's cache instance."""
    with _breakers_lock:
        breaker = _breakers.get(server)
        if breaker is None:
            breaker = _breakers[server] = CircuitBreaker(
                threshold=getattr(settings, "CACHE_BREAKER_THRESHOLD", 3),
                cooldown=getattr(settings, "CACHE_BREAKER_COOLDOWN", 5.0),
                on_open=_count_breaker_open,
            )
        return breaker


def reset_breakers() -> None:
    with _breakers_lock:
        _breakers.clear()


def _count_breaker_open() -> None:
    from core import metrics

    metrics.record_breaker_open()
