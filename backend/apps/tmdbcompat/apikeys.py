"""ApiKeyService: issue, revoke and check the keys of the TMDb-compatible API; per-key rate limits."""

from __future__ import annotations

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
        return api_key, raw

    @staticmethod
    def revoke(*, name: str) -> bool:
        """Revoked at once: every request checks the database. False when no active key has that name."""
        return bool(
            ApiKey.objects.active().filter(name=name).update(is_active=False, revoked_at=timezone.now())
        )

    @staticmethod
    def authenticate(raw: str | None) -> ApiKey:
        """The active key a client presented, its usage counted; InvalidApiKey otherwise."""
        if not raw or len(raw) > 512:
            raise InvalidApiKey()
        api_key = ApiKey.objects.active().presented(raw).only("id", "name", "rate_limit").first()
        if api_key is None:
            raise InvalidApiKey()
        return api_key

    @staticmethod
    def record(api_key: ApiKey, *, throttled: bool = False) -> None:
        """Count one request. Counts gather in Redis and reach the row every TMDB_COMPAT_USAGE_BATCH
        requests (a write per request would make one busy key's row the bottleneck); straight to the
        row when Redis is away."""
        counter = "throttled_count" if throttled else "request_count"
        key = keys.tmdb_compat_usage(key_id=api_key.pk, counter=counter)
        try:
            l2_call("add", key, 0, timeout=None)
            pending = int(l2_call("incr", key))
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
            l2_call("add", key, 0, timeout=RATE_WINDOW + 1)
            count = int(l2_call("incr", key))
        except (L2Error, ValueError):
            return
        limit = api_key.effective_rate
        if count > limit:
            retry_after = max(1, int((window + 1) * RATE_WINDOW - now) + 1)
            raise RateLimited(limit=limit, retry_after=retry_after)
