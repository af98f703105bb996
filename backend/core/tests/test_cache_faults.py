"""Redis stopped or frozen: catalog reads still answer 200 within a bounded extra latency, then recover.

These start their OWN throwaway redis-server on a free loopback port and break that one.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from apps.movies.tests.factories import MovieFactory
from core.cache import layers

pytestmark = [pytest.mark.services, pytest.mark.django_db]

LIST = "/api/v1/movies/"
# 3 socket timeouts of 50 ms before the breaker opens, plus the work itself on a busy CI machine.
# (Without the timeouts and the breaker a frozen Redis hangs a request indefinitely.)
BOUND_SECONDS = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None
        self.frozen = False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the cache fault tests"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.1):
                return
            time.sleep(0.02)
        raise AssertionError("the throwaway redis-server did not start")

    def stop(self) -> None:
        if self.process:
            if self.frozen:
                self.thaw()
            self.process.terminate()
            self.process.wait(timeout=5)
            self.process = None

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False


@pytest.fixture
def own_redis(settings):
    redis = ThrowawayRedis(_free_port())
    redis.start()
    base = settings.CACHES["default"]
    options = dict(base.get("OPTIONS", {}))
    options.pop("MAX_ENTRIES", None)
    # the production timeouts (tests elsewhere use longer ones on the shared Redis)
    options["SOCKET_CONNECT_TIMEOUT"] = settings.REDIS_SOCKET_CONNECT_TIMEOUT
    options["SOCKET_TIMEOUT"] = settings.REDIS_SOCKET_TIMEOUT
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.backends.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis.port}/0",
            "KEY_PREFIX": "fault",
            "OPTIONS": options,
        }
    }
    settings.CACHE_L1_TTL = 0  # every read goes to Redis, so every read meets the fault
    settings.CACHE_BREAKER_COOLDOWN = 0.5
    yield redis
    redis.stop()


def _timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    return response, time.perf_counter() - started


def _reads_during_the_fault(client, count=6):
    results = [_timed_get(client, LIST) for _ in range(count)]
    assert [response.status_code for response, _ in results] == [200] * count
    assert all(response["X-Cache"] == "MISS" for response, _ in results)
    return [seconds for _, seconds in results]


def _wait_until_cached_again(client, within: float = 5.0) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = client.get(LIST)
        assert response.status_code == 200
        if response["X-Cache"] == "HIT":
            return response["X-Cache-Level"]
        time.sleep(0.1)
    raise AssertionError("the cache did not come back")


def test_reads_survive_a_stopped_redis_and_recover_when_it_returns(api_client, own_redis):
    # given a warm cache
    MovieFactory.create_batch(3)
    api_client.get(LIST)
    assert api_client.get(LIST)["X-Cache"] == "HIT"
    # when Redis stops
    own_redis.stop()
    latencies = _reads_during_the_fault(api_client)
    # then every read answered from the database, fast
    assert max(latencies) < BOUND_SECONDS, latencies
    assert layers.breaker_state() != "closed"
    # and when it is back, caching resumes by itself
    own_redis.start()
    assert _wait_until_cached_again(api_client) == "L2"


def test_reads_survive_a_frozen_redis_and_recover_when_it_thaws(api_client, own_redis):
    # given a warm cache
    MovieFactory.create_batch(3)
    api_client.get(LIST)
    assert api_client.get(LIST)["X-Cache"] == "HIT"
    # when Redis hangs (accepts connections, never answers)
    own_redis.freeze()
    latencies = _reads_during_the_fault(api_client)
    # then the socket timeouts bound the first reads, and the open breaker makes the rest free
    assert max(latencies) < BOUND_SECONDS, latencies
    assert layers.breaker_state() != "closed"  # Redis is being skipped, not waited for
    assert sum(latencies[3:]) < BOUND_SECONDS, latencies
    # and after it thaws, caching resumes by itself
    own_redis.thaw()
    assert _wait_until_cached_again(api_client) == "L2"
