"""ApiKeyService: issue, revoke and check the keys of the TMDb-compatible API; per-key rate limits."""

from __future__ import annotations

import contextlib
import secrets
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.cache import keys
from core.cache.layers import L2Error, l2_call

from .errors import InvalidApiKey, RateLimited
from .managers import hash_key
from .models import ApiKey

RATE_WINDOW = 60  # seconds: rate limits are requests per minute
# A key's lookup (id, rate limit) is kept in Redis so a request reads no SQL. Revocation writes a
# tombstone that fills never overwrite (`add`), so a lookup racing the revocation cannot bring the
# key back; other changes delete the entry. Unknown keys are remembered briefly.
LOOKUP_TTL = 300
UNKNOWN_TTL = 30


class ApiKeyService:
    """Keys are shown once at creation; only their SHA-256 is stored."""

    @staticmethod
    @transaction.atomic
    def create(*, name: str, owner=None, rate_limit: int = 0, raw: str = "") -> tuple[ApiKey, str]:
        """A new key (`raw` imports one made elsewhere, e.g. the bench's)."""
        raw = raw or secrets.token_hex(16)  # 32 hex characters, the form of TMDb's own v3 keys
        api_key = ApiKey(
            name=name, owner=owner, rate_limit=rate_limit, key_hash=hash_key(raw), prefix=raw[:8]
        )
        api_key.full_clean()
        api_key.save()
        forget(api_key.key_hash)
        return api_key, raw

    @staticmethod
    def revoke(*, name: str) -> bool:
        """Revoked at once. False when no active key has that name."""
        return bool(ApiKeyService.revoke_all(ApiKey.objects.filter(name=name)))

    @staticmethod
    def revoke_all(queryset) -> int:
        """Deactivate the active keys of `queryset`; after commit their cached lookups become
        tombstones, so the next request with any of them is refused."""
        digests = list(queryset.active().values_list("key_hash", flat=True))
        ApiKey.objects.filter(key_hash__in=digests).update(is_active=False, revoked_at=timezone.now())
        for digest in digests:
            forget(digest, revoked=True)
        return len(digests)

    @staticmethod
    def authenticate(raw: str | None) -> ApiKey:
        """The active key a client presented (id and rate limit only); InvalidApiKey otherwise."""
        if not raw or len(raw) > 512:
            raise InvalidApiKey()
        found = _lookup(hash_key(raw))
        if not found:
            raise InvalidApiKey()
        return ApiKey(pk=found[0], rate_limit=found[1])

    @staticmethod
    def record(api_key: ApiKey, *, throttled: bool = False) -> None:
        """Count one request. Counts gather in Redis and reach the row every TMDB_COMPAT_USAGE_BATCH
        requests (a write per request would make one busy key's row the bottleneck); straight to the
        row when Redis is away."""
        counter = "throttled_count" if throttled else "request_count"
        key = keys.tmdb_compat_usage(key_id=api_key.pk, counter=counter)
        try:
            pending = _count(key, timeout=None)
            if pending < settings.TMDB_COMPAT_USAGE_BATCH:
                return
            l2_call("decr", key, pending)
        except (L2Error, ValueError):
            pending = 1
        ApiKey.objects.filter(pk=api_key.pk).update(
            **{counter: F(counter) + pending, "last_used_at": timezone.now()}
        )

    @staticmethod
    def check_rate(api_key: ApiKey) -> None:
        """A fixed one-minute window counted in Redis (shared by every process); open when Redis is away."""
        now = time.time()
        window = int(now // RATE_WINDOW)
        key = keys.tmdb_compat_rate(key_id=api_key.pk, window=window)
        try:
            count = _count(key, timeout=RATE_WINDOW + 1)
        except (L2Error, ValueError):
            return
        limit = api_key.effective_rate
        if count > limit:
            retry_after = max(1, int((window + 1) * RATE_WINDOW - now) + 1)
            raise RateLimited(limit=limit, retry_after=retry_after)


def _count(key: str, *, timeout: int | None) -> int:
    """INCR, starting the counter when missing (one round trip in the usual case)."""
    try:
        return int(l2_call("incr", key))
    except ValueError:
        l2_call("add", key, 0, timeout=timeout)
        return int(l2_call("incr", key))


def _lookup(digest: str) -> list | None:
    """[id, rate_limit] of the active key with this hash, or [] / None when there is none."""
    key = keys.tmdb_compat_key(key_hash=digest)
    if settings.USING_REDIS:  # a per-process cache could not be told of a revocation elsewhere
        try:
            cached = l2_call("get", key)
        except L2Error:
            cached = None
        if cached is not None:
            return cached
    row = ApiKey.objects.active().with_hash(digest).values_list("pk", "rate_limit").first()
    found = list(row) if row else []
    if settings.USING_REDIS:
        with contextlib.suppress(L2Error):
            l2_call("add", key, found, timeout=LOOKUP_TTL if found else UNKNOWN_TTL)
    return found


def forget(digest: str, *, revoked: bool = False) -> None:
    """After commit: drop a key's cached lookup (revoked: a tombstone for the lookup's lifetime)."""

    def drop() -> None:
        key = keys.tmdb_compat_key(key_hash=digest)
        with contextlib.suppress(L2Error):
            if revoked:
                l2_call("set", key, [], timeout=LOOKUP_TTL)
            else:
                l2_call("delete", key)

    if settings.USING_REDIS:
        transaction.on_commit(drop)
