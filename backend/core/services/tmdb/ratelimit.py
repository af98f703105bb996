"""Client-side token bucket for TMDb calls, shared by every process through Redis (per-process fallback)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

BUCKET_KEY_TEMPLATE = "{prefix}:tmdb:v1:ratelimit"

# Atomically refill the bucket by elapsed time and take one token.
# Returns 0 when a token was taken, else the milliseconds until one is available.
BUCKET_SCRIPT = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 1000)
return wait
"""


class LocalTokenBucket:
    """A thread-safe per-process token bucket."""

    def __init__(self, rate: float, capacity: float | None = None):
        self.rate = rate
        self.capacity = capacity or rate
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def try_acquire(self) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate


class RateLimiter:
    """Shared token bucket: Redis (Lua) when configured, the local bucket when Redis is absent or failing."""

    # After a Redis failure the local bucket is used for this long before Redis is tried again,
    # so a dead Redis costs one socket timeout per interval, not one per call.
    REDIS_RETRY_INTERVAL = 5.0

    def __init__(self, rate: float | None = None, *, use_redis: bool | None = None, connection=None):
        self.rate = float(rate if rate is not None else settings.TMDB_RATE_LIMIT)
        self.use_redis = settings.USING_REDIS if use_redis is None else use_redis
        self.local = LocalTokenBucket(self.rate)
        self._connection = connection
        self._script = None
        self._redis_retry_at = 0.0
        self.fallbacks = 0

    def acquire(self, *, deadline: float) -> bool:
        """Wait for a token until `deadline` (monotonic); False when none came in time."""
        if self.rate <= 0:
            return True
        while True:
            wait = self._try_acquire()
            if wait <= 0:
                return True
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)

    def _try_acquire(self) -> float:
        if self.use_redis and time.monotonic() >= self._redis_retry_at:
            try:
                return self._try_redis()
            except Exception as exc:  # noqa: BLE001 - any Redis failure degrades to the local bucket
                self.fallbacks += 1
                self._redis_retry_at = time.monotonic() + self.REDIS_RETRY_INTERVAL
                logger.warning("TMDb rate limiter falls back to per-process: %s", exc)
        return self.local.try_acquire()

    def _try_redis(self) -> float:
        if self._script is None:
            connection = self._connection
            if connection is None:
                from django_redis import get_redis_connection

                connection = get_redis_connection("default")
            self._script = connection.register_script(BUCKET_SCRIPT)
        key = BUCKET_KEY_TEMPLATE.format(prefix=settings.CACHE_KEY_PREFIX)
        capacity = max(1.0, self.rate)
        return int(self._script(keys=[key], args=[self.rate, capacity])) / 1000.0
