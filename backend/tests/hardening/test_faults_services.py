"""Fault tests on real processes: our own Redis stopped and frozen, our own PostgreSQL restarted.

The app runs under gunicorn against throwaway services on free loopback ports (never the shared
ones); a read load runs while each fault is injected. Each test is bounded in time.
"""

import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

from .support.processes import AppServer, PostgresCluster, RedisServer, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

READS = ["/api/v1/movies/", "/api/v1/movies/550/", "/api/v1/genres/", "/api/v1/movies/?q=fight"]


@dataclass
class Sample:
    at: float
    path: str
    status: int
    seconds: float
    body: dict | None


@dataclass
class Load:
    """A read load in a background thread, recording every answer."""

    base_url: str
    paths: list[str]
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        index = 0
        while not self.stop.is_set():
            path = self.paths[index % len(self.paths)]
            index += 1
            started = time.monotonic()
            try:
                response = session.get(self.base_url + path, timeout=10)
                body = (
                    response.json()
                    if response.headers.get("Content-Type", "").startswith("application/json")
                    else None
                )
                status = response.status_code
            except requests.RequestException:
                status, body = 0, None
            self.samples.append(Sample(started, path, status, time.monotonic() - started, body))

    def __enter__(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=15)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at < end]


def app_env(tmp_path, **extra) -> dict:
    env = {"SQLITE_PATH": str(tmp_path / "app.sqlite3"), "CACHE_KEY_PREFIX": "hrd-fault"}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env[name] = ""
    env.update(extra)
    return env


def warmed_up(base_url: str, paths: list[str]) -> bool:
    """Every path answers 200 once (lazy imports, first connections, genre tables) before measuring."""

    def all_ok() -> bool:
        try:
            return all(requests.get(base_url + path, timeout=10).status_code == 200 for path in paths)
        except requests.RequestException:
            return False

    return wait_until(all_ok, timeout=60, interval=0.5)


def described(samples: list[Sample]) -> list:
    return sorted({(s.path, s.status, (s.body or {}).get("message", "")) for s in samples if s.status != 200})


def p50(samples: list[Sample]) -> float:
    times = sorted(s.seconds for s in samples)
    return times[len(times) // 2]


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_app(tmp_path, redis_server):
    app = AppServer(app_env(tmp_path, REDIS_URL=redis_server.url))
    app.manage("migrate", "--noinput")
    app.manage("load_demo_catalog")
    app.start()
    yield app
    app.stop()


def test_catalog_reads_survive_redis_stopped_and_frozen(redis_app, redis_server):
    assert warmed_up(redis_app.base_url, READS)
    with Load(redis_app.base_url, READS) as load:
        time.sleep(2.0)
        healthy_end = time.monotonic()
        # when redis dies
        redis_server.stop()
        time.sleep(2.0)
        stopped_end = time.monotonic()
        # when it comes back, then freezes (SIGSTOP: connections accept nothing, answer nothing)
        redis_server.start()
        time.sleep(1.0)
        redis_server.freeze()
        frozen_start = time.monotonic()
        time.sleep(3.0)
        frozen_end = time.monotonic()
        redis_server.thaw()
        time.sleep(2.5)
    healthy = load.between(0, healthy_end)
    broken = load.between(healthy_end, stopped_end) + load.between(frozen_start, frozen_end)
    recovered = load.between(frozen_end + 1.0, float("inf"))
    # then every read answered 200, with bounded extra latency, and the cache works again after
    assert healthy and broken and recovered
    assert {s.status for s in load.samples} == {200}, sorted({(s.path, s.status) for s in load.samples})
    assert max(s.seconds for s in broken) < 2.0, max(s.seconds for s in broken)
    assert p50(broken) < p50(healthy) + 0.5
    assert p50(recovered) < p50(healthy) + 0.25
    import redis

    assert redis.Redis.from_url(redis_server.url, socket_timeout=2).dbsize() > 0


@pytest.fixture
def postgres_cluster():
    cluster = PostgresCluster().init()
    cluster.start()
    yield cluster
    cluster.destroy()


def test_postgres_restart_is_503_while_down_and_clean_5s_after(tmp_path, postgres_cluster):
    # given the app on its own PostgreSQL, migrated, with the demo catalog
    app = AppServer(
        app_env(tmp_path, DATABASE_URL=postgres_cluster.url, DB_CONNECT_TIMEOUT="3"), log=tmp_path / "app.log"
    )
    app.manage("migrate", "--noinput")
    app.manage("load_demo_catalog")
    app.start()
    try:
        assert warmed_up(app.base_url, [*READS, "/health/ready"])
        with Load(app.base_url, [*READS, "/health/ready"]) as load:
            time.sleep(1.5)
            down_at = time.monotonic()
            postgres_cluster.stop()  # fast shutdown: every connection is cut
            time.sleep(3.0)
            postgres_cluster.start()
            back_at = time.monotonic()
            time.sleep(8.0)
    finally:
        app.stop()
    # a request in flight when the shutdown starts belongs to the outage, not to "before"
    before = [s for s in load.between(0, down_at) if s.at + s.seconds < down_at]
    during = load.between(down_at, back_at)
    settled = load.between(back_at + 5.0, float("inf"))
    # then: clean before; while down only 200 (served without the database) or 503 in the envelope
    assert before and during and settled
    assert {s.status for s in before} == {200}, (described(before), app.log.read_text()[-3000:])
    errors = [s for s in load.samples if s.status != 200]
    assert errors, "the outage was not observed at all"
    for sample in errors:
        assert sample.status == 503, (sample.path, sample.status, sample.body)
        assert sample.body and sample.body["success"] is False and sample.body["errors"]["code"]
    assert all(s.seconds < 5.0 for s in during)
    # and none from 5 s after it is back
    assert {s.status for s in settled} == {200}, described(settled)
