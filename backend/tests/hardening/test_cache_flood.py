"""Cache floods (issue 17, item 8), on real Redis: junk query parameters and arbitrary movie ids
must not grow Redis without bound. Counted under this run's own key prefix."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django_redis import get_redis_connection

from apps.movies.tests.factories import MovieFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

FLOOD = 2_000


def _our_keys() -> dict[bytes, int]:
    """Every Redis key under this run's prefix, with the bytes Redis says it uses."""
    redis = get_redis_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(redis.scan_iter(match=f"{prefix}:*", count=1000))
    return {key: redis.memory_usage(key) or 0 for key in keys}


def test_a_junk_parameter_flood_adds_nothing_to_redis():
    # given the catalog list cached once
    MovieFactory()
    client = Client()
    client.get("/api/v1/movies/")
    before = _our_keys()
    # when 2,000 URLs differ only in junk parameters
    run = uuid.uuid4().hex[:6]
    statuses = {
        client.get(f"/api/v1/movies/?junk{run}{n}=x&utm_campaign={n}").status_code for n in range(FLOOD)
    }
    # then every one was answered from the one cached entry: Redis did not grow
    after = _our_keys()
    assert statuses == {200}
    assert set(after) - set(before) == set()
    assert sum(after.values()) - sum(before.values()) < 64 * 1024


def test_an_id_flood_leaves_only_keys_that_expire():
    # given no TMDb (the embedded catalog): every unknown id is a 404
    client = Client()
    before = set(_our_keys())
    # when 2,000 ids nobody has are asked for
    statuses = {client.get(f"/api/v1/movies/{10_000_000 + n}/").status_code for n in range(FLOOD)}
    # then each key they left has a TTL, so Redis evicts or expires them
    redis = get_redis_connection("default")
    added = set(_our_keys()) - before
    assert statuses == {404}
    assert added, "the flood left no key at all: the test measured nothing"
    assert all(redis.ttl(key) > 0 for key in added)
