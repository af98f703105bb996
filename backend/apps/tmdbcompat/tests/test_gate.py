"""The Redis key check: revocation beats a racing lookup; a Redis failure falls back to the database."""

from __future__ import annotations

import pytest

from apps.tmdbcompat.apikeys import ApiKeyService
from apps.tmdbcompat.errors import InvalidApiKey
from apps.tmdbcompat.gate import gate
from apps.tmdbcompat.managers import hash_key

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_a_lookup_racing_a_revocation_cannot_bring_the_key_back(django_capture_on_commit_callbacks):
    # given a key admitted once (its lookup cached), then revoked
    api_key, raw = ApiKeyService.create(name="raced")
    assert ApiKeyService.admit(raw).pk == api_key.pk
    with django_capture_on_commit_callbacks(execute=True):
        ApiKeyService.revoke(name="raced")
    # when a request that read the row before the revocation stores what it read
    gate.remember(hash_key(raw), f"{api_key.pk}:0")
    # then the tombstone stands
    with pytest.raises(InvalidApiKey):
        ApiKeyService.admit(raw)


def test_without_redis_keys_are_checked_in_the_database(monkeypatch, tmdb3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given Redis failing on the key check
    def broken(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(gate, "sync", broken)
    # then a valid key is still served (read from the database) and a bad one still refused
    with CaptureQueriesContext(connection) as queries:
        assert tmdb3.get("configuration").status_code == 200
    assert any("tmdbcompat_api_key" in query["sql"] for query in queries.captured_queries)
    assert tmdb3.get("configuration", key="not-issued").status_code == 401
