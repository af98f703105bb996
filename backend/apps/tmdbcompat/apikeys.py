"""ApiKeyService: issue, revoke and admit the keys of the TMDb-compatible API (rate limits, usage)."""

from __future__ import annotations

import atexit
import logging
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.cache import keys
from core.cache.layers import L2Error, l2_call

from .admission import RATE_WINDOW, Admission
from .errors import InvalidApiKey, RateLimited
from .gate import ADMITTED, gate
from .managers import hash_key
from .models import ApiKey

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 512
admission = Admission(gate)  # this process's key states (revocations heard by its listener)
atexit.register(admission.send_idle, older_than=0)  # a worker that stops sends what it counted


class Admitted(NamedTuple):
    """The key a request was admitted with (no model instance on the hot path)."""

    pk: int
    rate: int  # effective requests per minute


class ApiKeyService:
    """Keys are shown once at creation; only their SHA-256 is stored.

    With Redis, admitting a request takes no SQL, and most take no round trip either: each
    process keeps the keys it has seen while it hears revocations, and sends its counts in
    batches (`admission.py`, `gate.py`); usage counts reach the row every
    TMDB_COMPAT_USAGE_BATCH requests (the admin adds those still in Redis). Without Redis (the embedded demo) the
    key is read from the database and counted in this process's cache.
    """

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
    def admit(raw: str | None) -> Admitted:
        """The active key a client presented, counted against its rate limit and its usage.
        InvalidApiKey (7) or RateLimited (25) otherwise."""
        if not raw or len(raw) > MAX_KEY_LENGTH:
            raise InvalidApiKey()
        digest = hash_key(raw)
        if settings.USING_REDIS:
            try:
                return _admit_through_redis(digest)
            except (InvalidApiKey, RateLimited):
                raise
            except Exception as exc:  # noqa: BLE001 - any Redis failure: the portable path below
                logger.warning("TMDb-compatible key check without Redis: %s", exc)
        return _admit_portable(digest)


# --- with Redis: this process's copy of the key, counts sent in batches (admission.py) ----------
def _admit_through_redis(digest: str) -> Admitted:
    now = time.time()
    verdict = admission.admit(digest, _read_lookup)
    if verdict.status != ADMITTED:
        raise InvalidApiKey()
    admitted = Admitted(verdict.key_id, verdict.rate_limit or settings.TMDB_COMPAT_DEFAULT_RATE)
    for counter, pending in (("request_count", verdict.requests), ("throttled_count", verdict.refused)):
        if pending >= settings.TMDB_COMPAT_USAGE_BATCH:
            gate.drain(digest, counter, pending)
            _write_usage(admitted.pk, counter, pending)
    if verdict.throttled:
        raise _rate_limited(admitted.rate, int(now // RATE_WINDOW), now)
    return admitted


def _read_lookup(digest: str) -> str:
    """ "<id>:<rate>" of the active key with this hash, "" when there is none."""
    row = ApiKey.objects.active().with_hash(digest).values_list("pk", "rate_limit").first()
    return f"{row[0]}:{row[1]}" if row else ""


def forget(digest: str, *, revoked: bool = False) -> None:
    """After commit: drop a key's cached lookup (revoked: a tombstone for the lookup's lifetime)."""

    def drop() -> None:
        try:
            gate.forget(digest, revoked=revoked)  # every listening process has dropped it on return
        except Exception as exc:  # noqa: BLE001 - Redis away: its entries are away too
            logger.warning("TMDb-compatible key lookup not dropped: %s", exc)
        finally:
            admission.drop(digest)

    if settings.USING_REDIS:
        transaction.on_commit(drop)


# --- without Redis: the database and this process's cache -------------------------------------
def _admit_portable(digest: str) -> Admitted:
    row = ApiKey.objects.active().with_hash(digest).only("id", "rate_limit").first()
    if row is None:
        raise InvalidApiKey()
    now = time.time()
    window = int(now // RATE_WINDOW)
    try:
        count = _count(keys.tmdb_compat_rate(key_hash=digest, window=window), timeout=RATE_WINDOW + 1)
    except (L2Error, ValueError):
        count = 0  # no counter: the limit is not enforced rather than failing the request
    throttled = count > row.effective_rate
    counter = "throttled_count" if throttled else "request_count"
    try:
        pending = _count(keys.tmdb_compat_usage(key_hash=digest, counter=counter), timeout=None)
        if pending >= settings.TMDB_COMPAT_USAGE_BATCH:
            l2_call("decr", keys.tmdb_compat_usage(key_hash=digest, counter=counter), pending)
            _write_usage(row.pk, counter, pending)
    except (L2Error, ValueError):
        _write_usage(row.pk, counter, 1)
    if throttled:
        raise _rate_limited(row.effective_rate, window, now)
    return Admitted(row.pk, row.effective_rate)


def _count(key: str, *, timeout: int | None) -> int:
    try:
        return int(l2_call("incr", key))
    except ValueError:
        l2_call("add", key, 0, timeout=timeout)
        return int(l2_call("incr", key))


# --- shared ------------------------------------------------------------------------------------
def _write_usage(key_id: int, counter: str, count: int) -> None:
    ApiKey.objects.filter(pk=key_id).update(**{counter: F(counter) + count, "last_used_at": timezone.now()})


def _rate_limited(rate: int, window: int, now: float) -> RateLimited:
    retry_after = max(1, int((window + 1) * RATE_WINDOW - now) + 1)
    return RateLimited(limit=rate, retry_after=retry_after)
