"""The Redis side of the key check: a key's lookup, its rate window and its usage counts in one Lua
script call, and revocations announced to every process (pub/sub) and acknowledged by them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import caches

from core.cache import keys
from core.cache.broadcast import Broadcast

logger = logging.getLogger(__name__)

LOOKUP_TTL = 300  # a cached lookup; revocation replaces it with a tombstone (fills never overwrite)
UNKNOWN_TTL = 30  # an unknown key, remembered briefly
USAGE_TTL = 7 * 24 * 3600  # counts not yet written to the row
# KEYS: lookup, the sent requests' rate window, request count, throttled count, this request's
# rate window. ARGV: window TTL, usage TTL, default rate, sent (requests a process already admitted
# and counts now), current (1: count this request and say whether it is over the limit).
# A lookup is "<id>:<rate>", or "" for an unknown or revoked key (then this request is not counted).
GATE_SCRIPT = """
local function add(key, n, ttl)
  local value = redis.call('INCRBY', key, n)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, ttl) end
  return value
end
local sent = tonumber(ARGV[4])
if sent > 0 then
  add(KEYS[2], sent, ARGV[1])
  add(KEYS[3], sent, ARGV[2])
end
local found = redis.call('GET', KEYS[1])
if not found then return {0, '', 0, 0, 0, 0} end
if found == '' then return {1, '', 0, 0, 0, 0} end
local limit = tonumber(string.match(found, ':(%d+)$'))
if limit == 0 then limit = tonumber(ARGV[3]) end
local count = 0
local throttled = 0
if tonumber(ARGV[5]) == 1 then
  count = add(KEYS[5], 1, ARGV[1])
  if count > limit then throttled = 1 end
  add(KEYS[3 + throttled], 1, ARGV[2])
else
  count = tonumber(redis.call('GET', KEYS[5]) or '0')
end
local requests = tonumber(redis.call('GET', KEYS[3]) or '0')
local refused = tonumber(redis.call('GET', KEYS[4]) or '0')
return {2, found, count, requests, refused, throttled}
"""
MISSING, REFUSED, ADMITTED = 0, 1, 2


@dataclass(frozen=True)
class Verdict:
    status: int  # MISSING (look the key up), REFUSED, ADMITTED
    key_id: int = 0
    rate_limit: int = 0
    count: int = 0  # requests in this rate window, every process's
    requests: int = 0  # admitted requests not yet written to the row
    refused: int = 0  # refusals (over the limit) not yet written to the row
    throttled: bool = False  # this request is over the limit


# Changed and revoked keys, announced to every process (each drops its copy, then acknowledges).
revocations = Broadcast("tmdb3-revocations")


class RedisGate:
    """Raw Redis for the hot path; keys carry the cache's prefix so its `delete_pattern` reaches them."""

    def __init__(self, connection=None):
        self._connection = connection
        self._script = None

    def connection(self):
        if self._connection is None:
            from django_redis import get_redis_connection

            self._connection = get_redis_connection("default")
        return self._connection

    @staticmethod
    def raw(key: str) -> str:
        return caches["default"].make_key(key)

    def sync(
        self,
        digest: str,
        *,
        window: int,
        window_ttl: int,
        default_rate: int,
        sent: int = 0,
        sent_window: int | None = None,
        current: bool = True,
    ) -> Verdict:
        """Adds `sent` requests a process admitted on its own (in `sent_window`) and, when
        `current`, this request; reads the key's lookup and its counts back."""
        if self._script is None:
            self._script = self.connection().register_script(GATE_SCRIPT)
        names = [
            keys.tmdb_compat_key(key_hash=digest),
            keys.tmdb_compat_rate(key_hash=digest, window=window if sent_window is None else sent_window),
            keys.tmdb_compat_usage(key_hash=digest, counter="request_count"),
            keys.tmdb_compat_usage(key_hash=digest, counter="throttled_count"),
            keys.tmdb_compat_rate(key_hash=digest, window=window),
        ]
        status, found, count, requests, refused, throttled = self._script(
            keys=[self.raw(name) for name in names],
            args=[window_ttl, USAGE_TTL, default_rate, sent, int(current)],
        )
        if int(status) != ADMITTED:
            return Verdict(int(status))
        key_id, rate_limit = (int(part) for part in found.decode().split(":"))
        return Verdict(ADMITTED, key_id, rate_limit, int(count), int(requests), int(refused), bool(throttled))

    def remember(self, digest: str, found: str) -> None:
        """A lookup read from the database; never replaces what is there (a tombstone stays)."""
        ttl = LOOKUP_TTL if found else UNKNOWN_TTL
        self.connection().set(self.raw(keys.tmdb_compat_key(key_hash=digest)), found, nx=True, ex=ttl)

    def forget(self, digest: str, *, revoked: bool) -> None:
        """Drops the key's lookup (revoked: a tombstone), then tells every process to drop its copy
        and waits until each one listening has said it did (core.cache.broadcast)."""
        name = self.raw(keys.tmdb_compat_key(key_hash=digest))
        if revoked:
            self.connection().set(name, "", ex=LOOKUP_TTL)
        else:
            self.connection().delete(name)
        revocations.announce(digest)

    def drain(self, digest: str, counter: str, pending: int) -> None:
        """`pending` counts are being written to the row: take them off the counter."""
        self.connection().decrby(self.raw(keys.tmdb_compat_usage(key_hash=digest, counter=counter)), pending)

    def pending(self, digests: list[str]) -> dict[str, tuple[int, int]]:
        """(requests, refusals) counted in Redis but not yet on each key's row (the admin adds them)."""
        names = [
            self.raw(keys.tmdb_compat_usage(key_hash=digest, counter=counter))
            for digest in digests
            for counter in ("request_count", "throttled_count")
        ]
        values = [int(value or 0) for value in self.connection().mget(names)] if names else []
        return {digest: (values[2 * i], values[2 * i + 1]) for i, digest in enumerate(digests)}


gate = RedisGate()
