"""The client-side token bucket: per-process, shared through Redis, falling back when Redis fails."""

import time

import pytest
from django.conf import settings as django_settings

from core.services.tmdb.base import BaseClient
from core.services.tmdb.errors import TMDbRateLimited
from core.services.tmdb.ratelimit import LocalTokenBucket, RateLimiter


def test_local_bucket_allows_a_burst_then_waits():
    bucket = LocalTokenBucket(rate=5)
    assert [bucket.try_acquire() for _ in range(5)] == [0.0] * 5
    wait = bucket.try_acquire()
    assert 0 < wait <= 0.2


def test_limiter_spaces_calls_at_the_configured_rate():
    # given a 20/s limiter with its burst spent
    limiter = RateLimiter(rate=20, use_redis=False)
    for _ in range(20):
        limiter.acquire(deadline=time.monotonic() + 1)
    # when
    started = time.monotonic()
    for _ in range(4):
        assert limiter.acquire(deadline=time.monotonic() + 1)
    # then
    assert time.monotonic() - started >= 0.15


def test_no_token_within_the_deadline_is_refused():
    limiter = RateLimiter(rate=1, use_redis=False)
    assert limiter.acquire(deadline=time.monotonic() + 0.1)
    assert not limiter.acquire(deadline=time.monotonic() + 0.1)


def test_client_reports_its_own_rate_limit_without_calling(tmdb_double, settings):
    # given
    settings.TMDB_TIME_BUDGET = 0.2
    client = BaseClient(rate_limiter=RateLimiter(rate=1, use_redis=False))
    client.get("configuration")
    # when / then
    with pytest.raises(TMDbRateLimited, match="Client-side"):
        client.get("configuration")
    assert tmdb_double.count() == 1


def test_redis_failure_falls_back_to_the_local_bucket(monkeypatch):
    # given a limiter meant to use Redis, whose connection fails
    limiter = RateLimiter(rate=10, use_redis=True)

    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(limiter, "_try_redis", broken)
    # when
    allowed = limiter.acquire(deadline=time.monotonic() + 0.5)
    # then
    assert allowed
    assert limiter.fallbacks == 1


@pytest.mark.services
def test_redis_bucket_is_shared_between_limiters():
    # given two limiters (two processes' worth) on the same Redis bucket
    assert django_settings.USING_REDIS
    from django_redis import get_redis_connection

    from core.services.tmdb.ratelimit import BUCKET_KEY_TEMPLATE

    get_redis_connection("default").delete(
        BUCKET_KEY_TEMPLATE.format(prefix=django_settings.CACHE_KEY_PREFIX)
    )
    first, second = RateLimiter(rate=5, use_redis=True), RateLimiter(rate=5, use_redis=True)
    # when the first spends the burst
    for _ in range(5):
        assert first._try_acquire() == 0
    # then the second must wait too, and nobody fell back
    assert second._try_acquire() > 0
    assert first.fallbacks == second.fallbacks == 0


def test_after_a_redis_failure_redis_is_not_retried_at_once(monkeypatch):
    limiter = RateLimiter(rate=100, use_redis=True)
    calls = []

    def broken():
        calls.append(1)
        raise ConnectionError("redis is down")

    monkeypatch.setattr(limiter, "_try_redis", broken)
    for _ in range(5):
        assert limiter.acquire(deadline=time.monotonic() + 0.5)
    assert len(calls) == 1


@pytest.fixture
def throwaway_redis(tmp_path):
    """Our own redis-server on a free loopback port (never the shared one), stopped by the test."""
    import shutil
    import socket
    import subprocess

    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the real-services pass"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        socket_timeout=0.2,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    deadline = time.monotonic() + 5
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield process, client
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.mark.services
def test_limiter_survives_its_redis_dying(throwaway_redis):
    # given a limiter on a Redis of our own
    process, client = throwaway_redis
    limiter = RateLimiter(rate=50, use_redis=True, connection=client)
    assert limiter._try_acquire() == 0
    assert limiter.fallbacks == 0
    # when that Redis dies
    process.kill()
    process.wait()
    started = time.monotonic()
    allowed = limiter.acquire(deadline=time.monotonic() + 1)
    # then calls go on through the local bucket, quickly
    assert allowed
    assert limiter.fallbacks == 1
    assert time.monotonic() - started < 0.8
