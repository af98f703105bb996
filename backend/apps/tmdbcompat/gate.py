"""The per-request key check in one Redis round trip: the key's lookup, its rate window and its
usage count, in one Lua script (the same way the TMDb client's shared rate limiter reaches Redis)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import caches

from core.cache import keys

LOOKUP_TTL = 300  # a cached lookup; revocation replaces it with a tombstone (fills never overwrite)
UNKNOWN_TTL = 30  # an unknown key, remembered briefly
USAGE_TTL = 7 * 24 * 3600  # counts not yet written to the row
# KEYS: lookup, rate window, request count, throttled count. ARGV: window TTL, usage TTL, default rate.
# A lookup is "<id>:<rate>", or "" for an unknown or revoked key (then nothing is counted).
GATE_SCRIPT = """
local found = redis.call('GET', KEYS[1])
if not found then return {0, '', 0, 0} end
if found == '' then return {1, '', 0, 0} end
local limit = tonumber(string.match(found, ':(%d+)$'))
if limit == 0 then limit = tonumber(ARGV[3]) end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
local usage = KEYS[3]
if count > limit then usage = KEYS[4] end
local pending = redis.call('INCR', usage)
if pending == 1 then redis.call('EXPIRE', usage, ARGV[2]) end
return {2, found, count, pending}
"""
MISSING, REFUSED, ADMITTED = 0, 1, 2


@dataclass(frozen=True)
class Verdict:
    status: int  # MISSING (look the key up), REFUSED, ADMITTED
    key_id: int = 0
    rate_limit: int = 0
    count: int = 0  # requests in this rate window
    pending: int = 0  # uncounted requests (or refusals, when over the limit) of this key


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

    def check(self, digest: str, *, window: int, window_ttl: int, default_rate: int) -> Verdict:
        if self._script is None:
            self._script = self.connection().register_script(GATE_SCRIPT)
        names = [
            keys.tmdb_compat_key(key_hash=digest),
            keys.tmdb_compat_rate(key_hash=digest, window=window),
            keys.tmdb_compat_usage(key_hash=digest, counter="request_count"),
            keys.tmdb_compat_usage(key_hash=digest, counter="throttled_count"),
        ]
        status, found, count, pending = self._script(
            keys=[self.raw(name) for name in names], args=[window_ttl, USAGE_TTL, default_rate]
        )
        if int(status) != ADMITTED:
            return Verdict(int(status))
        key_id, rate_limit = (int(part) for part in found.decode().split(":"))
        return Verdict(ADMITTED, key_id, rate_limit, int(count), int(pending))

    def remember(self, digest: str, found: str) -> None:
        """A lookup read from the database; never replaces what is there (a tombstone stays)."""
        ttl = LOOKUP_TTL if found else UNKNOWN_TTL
        self.connection().set(self.raw(keys.tmdb_compat_key(key_hash=digest)), found, nx=True, ex=ttl)

    def forget(self, digest: str, *, revoked: bool) -> None:
        name = self.raw(keys.tmdb_compat_key(key_hash=digest))
        if revoked:
            self.connection().set(name, "", ex=LOOKUP_TTL)
        else:
            self.connection().delete(name)

    def drain(self, digest: str, counter: str, pending: int) -> None:
        """`pending` counts are being written to the row: take them off the counter."""
        self.connection().decrby(self.raw(keys.tmdb_compat_usage(key_hash=digest, counter=counter)), pending)


gate = RedisGate()
