"""`make bench-profile`: what one warm read costs inside the process, target by target.

The bench's catalog and settings (production, PostgreSQL + Redis: BENCH_DATABASE_URL, BENCH_REDIS_URL,
BENCH_CACHE_KEY_PREFIX, the TMDb double), no server and no wrk: django.test.Client requests each
target's path BENCH_PROFILE_REQUESTS [3000] times after a warm-up, in 5 rounds, and prints the
microseconds per request of the fastest round, and the SQL queries and Redis round trips per request. BENCH_ONLY picks targets (default: the baseline, the
main API's cached detail and popular, and the TMDb-compatible ones with a key). `--profile NAME`
prints the cProfile of that target's loop (cumulative time, top 40).
"""

import cProfile
import io
import os
import pstats
import sys
import time

from .config import CONFIG, ROOT, TARGETS, Target, env_int
from .run import app_env, prepare

ROUNDS = 5
DEFAULT = ("baseline", "detail_cached", "popular_cached", "tmdb3_detail", "tmdb3_popular")


class RoundTrips:
    """Counts the commands this process sends to Redis (a pipeline or a script call is one)."""

    count = 0

    @classmethod
    def install(cls) -> None:
        from redis.connection import AbstractConnection

        send = AbstractConnection.send_packed_command

        def counted(self, *args, **kwargs):
            cls.count += 1
            return send(self, *args, **kwargs)

        AbstractConnection.send_packed_command = counted


def measure(client, target: Target, requests: int, profile: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in target.headers.items()}
    for _ in range(5):
        response = client.get(target.path, **headers)
    if response.status_code != 200:
        raise SystemExit(f"{target.name}: {target.path} answered {response.status_code}")
    profiler = cProfile.Profile() if profile else None
    trips, rounds, best = RoundTrips.count, ROUNDS, float("inf")
    with CaptureQueriesContext(connection) as queries:
        if profiler:
            profiler.enable()
        for _ in range(rounds):  # the fastest round: other work on the machine only slows one down
            started = time.perf_counter()
            for _ in range(requests // rounds):
                client.get(target.path, **headers)
            best = min(best, time.perf_counter() - started)
        if profiler:
            profiler.disable()
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        print(text.getvalue())
    return {
        "us": best / (requests // rounds) * 1e6,
        "sql": len(queries) / (requests // rounds * rounds),
        "redis": (RoundTrips.count - trips) / (requests // rounds * rounds),
    }


def main() -> None:
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else ""
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]
    from testing.tmdb.double import API_KEY, TMDbDouble

    from . import tmdb
    from .servers import free_port

    double = TMDbDouble().start(port=free_port() if CONFIG["ports"] else 0)
    try:
        env = app_env("profile") | {"TMDB_BASE_URL": double.base_url, "TMDB_API_KEY": API_KEY}
        env["ALLOWED_HOSTS"] += ",testserver"
        os.environ["LOG_LEVEL"] = "ERROR"
        prepared = prepare(env)
        tmdb._seed(double, prepared["ranked_ids"][:500])
        from django.test import Client

        RoundTrips.install()
        client, requests = Client(), env_int("BENCH_PROFILE_REQUESTS", 3000)
        wanted = CONFIG["only"] or DEFAULT
        print(f"{'target':<16} {'µs/request':>11} {'SQL/request':>12} {'Redis/request':>14}")
        for target in (t for t in TARGETS if t.name in wanted):
            result = measure(client, target, requests, profile == target.name)
            print(f"{target.name:<16} {result['us']:>11.1f} {result['sql']:>12.2f} {result['redis']:>14.3f}")
    finally:
        double.stop()


if __name__ == "__main__":
    main()
