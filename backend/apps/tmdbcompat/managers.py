"""ApiKey reads: active keys, lookup by the hash of a presented key."""

from __future__ import annotations

import hashlib

from django.db import models


def hash_key(raw: str) -> str:
    """Keys are stored as their SHA-256 (they are long random tokens, so no salt or stretching)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_hash(self, digest: str):
        """The key whose SHA-256 is `digest` (active or not)."""
        return self.filter(key_hash=digest)


ApiKeyManager = models.Manager.from_queryset(ApiKeyQuerySet)
