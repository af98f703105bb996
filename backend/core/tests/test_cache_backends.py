"""The Redis backend's circuit breaker: failures open it, calls then skip Redis, answers close it."""

import time

import pytest
from django_redis.exceptions import ConnectionInterrupted

from core.cache.backends import GuardedClient, RedisCache, breaker_for
from core.cache.breaker import CLOSED, OPEN, CircuitBreaker

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def dead_backend():
    return RedisCache(
        DEAD_REDIS,
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.05, "SOCKET_TIMEOUT": 0.05}},
    )


def test_a_dead_redis_opens_the_breaker_and_reads_then_skip_it(dead_backend, monkeypatch):
    # given three failed reads (ignored: the default comes back)
    for _ in range(3):
        assert dead_backend.get("k", "default") == "default"
    assert dead_backend.breaker.state == OPEN
    # when
    calls = []
    monkeypatch.setattr(dead_backend._client, "get", lambda *a, **k: calls.append(1))
    started = time.perf_counter()
    value = dead_backend.get("k", "default")
    # then Redis was not even tried
    assert value == "default"
    assert calls == []
    assert time.perf_counter() - started < 0.01


def test_every_thread_of_a_process_shares_one_breaker_per_server(dead_backend):
    assert breaker_for(DEAD_REDIS) is dead_backend.breaker
    assert breaker_for("redis://127.0.0.1:2/0") is not dead_backend.breaker


class FakeClient:
    def __init__(self, error: Exception | None = None):
        self.error = error

    def incr(self, key):
        if self.error:
            raise self.error
        return 1


def test_an_error_that_redis_answered_with_counts_as_success(clock):
    # given an open breaker past its cool-down
    breaker = CircuitBreaker(threshold=1, cooldown=1, clock=clock)
    breaker.record_failure()
    clock.advance(1)
    client = GuardedClient(FakeClient(error=ValueError("no such key")), breaker)
    # when the probe gets an answer that is an error of ours
    with pytest.raises(ValueError, match="no such key"):
        client.incr("missing")
    # then Redis is considered back
    assert breaker.state == CLOSED


def test_a_connection_failure_counts_as_failure(clock):
    breaker = CircuitBreaker(threshold=1, cooldown=1, clock=clock)
    client = GuardedClient(FakeClient(error=ConnectionInterrupted(connection=None)), breaker)
    with pytest.raises(ConnectionInterrupted):
        client.incr("k")
    assert breaker.state == OPEN
