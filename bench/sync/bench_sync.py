"""make bench-sync: sync TMDb's first N popular movies from a double that allows 40 requests/s.

The double serves a generated catalog shaped like TMDb's (testing.tmdb.catalog: recommendations
and similar lists that overlap heavily, blockbusters in every list, genres in TMDb's order, nulls)
and answers 429 (TMDb's code 25, Retry-After: 1) to any request beyond its limit in a sliding
one-second window. The command under test is the real `manage.py sync_movies --list popular
--pages N/20` on an empty catalog, run as a subprocess with the environment it would have in
production (PostgreSQL when DATABASE_URL is set, else a fresh SQLite file; the shared rate limiter
in Redis when REDIS_URL is set), then run again at once (`--rerun`: nothing may be created).

Reports movies/s, upstream calls per movie, 429s received, and achieved/allowed request rate.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))

from testing.tmdb.catalog import seed_catalog  # noqa: E402
from testing.tmdb.double import API_KEY, Fault, TMDbDouble, error_body  # noqa: E402

SUMMARY = re.compile(
    r"^created=\d+ updated=\d+ unchanged=\d+ failed=\d+ upstream_calls=\d+ rate_limited=\d+ seconds=[\d.]+$"
)


class RateLimitedDouble(TMDbDouble):
    """The TMDb double with TMDb's limit: at most `limit` requests in any one-second window."""

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(**kwargs)
        self.limit = limit
        self.window: collections.deque[float] = collections.deque()
        self.window_lock = threading.Lock()
        self.accepted = 0
        self.rejected = 0

    def _take_fault(self, path: str) -> Fault | None:
        now = time.monotonic()
        with self.window_lock:
            while self.window and now - self.window[0] >= 1.0:
                self.window.popleft()
            if len(self.window) >= self.limit:
                self.rejected += 1
                return Fault(status=429, body=error_body(25), headers={"Retry-After": "1"}, times=None)
            self.window.append(now)
            self.accepted += 1
        return super()._take_fault(path)


def run_sync(env: dict, pages: int) -> tuple[float, str, str, int, float]:
    """(wall seconds, stdout, stderr, exit status, CPU seconds of the sync process)."""
    cpu_before = _children_cpu()
    started = time.monotonic()
    command = ["sync_movies", "--list", "popular", "--pages", str(pages), "--no-progress"]
    process = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    return wall, process.stdout, process.stderr, process.returncode, _children_cpu() - cpu_before


def app_env(double, workdir: Path) -> dict:
    """The environment of an app process reading TMDb from `double` (SQLite in `workdir` unless
    DATABASE_URL is set)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "TMDB_BASE_URL": double.base_url,
        "TMDB_API_KEY": API_KEY,
        "TMDB_READ_ACCESS_TOKEN": "",
    }
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def parse_summary(stdout: str) -> dict:
    line = stdout.strip().splitlines()[-1]
    if not SUMMARY.match(line):
        raise SystemExit(f"no summary line in the output: {stdout[-500:]}")
    return {key: float(value) for key, value in (pair.split("=") for pair in line.split())}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movies", type=int, default=1000, help="popular movies to sync (a multiple of 20)")
    parser.add_argument("--catalog", type=int, default=1200, help="movies the double holds")
    parser.add_argument("--limit", type=int, default=40, help="requests/s the double allows")
    parser.add_argument("--target-movies-per-s", type=float, default=35.0)
    parser.add_argument("--target-calls-per-movie", type=float, default=1.05)
    parser.add_argument("--no-rerun", dest="rerun", action="store_false", help="skip the immediate rerun")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results" / "sync.json")
    args = parser.parse_args()

    double = RateLimitedDouble(limit=args.limit).start()
    catalog = seed_catalog(double, movies=max(args.catalog, args.movies))
    pages = -(-args.movies // 20)
    env = app_env(double, Path(tempfile.mkdtemp(prefix="bench-sync-")))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from apps.movies.models import Genre, Movie; Movie.objects.all().delete(); Genre.objects.all().delete()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )

    wall, stdout, stderr, code, cpu = run_sync(env, pages)
    summary = parse_summary(stdout)
    received = double.accepted + double.rejected
    report = {
        "command": f"manage.py sync_movies --list popular --pages {pages}",
        "movies": args.movies,
        "catalog_movies": len(catalog.ids),
        "related_per_movie": round(
            sum(
                len(double.movies[i]["_recommendations"]) + len(double.movies[i]["_similar"])
                for i in catalog.ids
            )
            / len(catalog.ids),
            1,
        ),
        "database": "postgresql" if env.get("DATABASE_URL") else "sqlite",
        "rate_limiter": "redis (shared)" if env.get("REDIS_URL") else "per-process",
        "client_rate_limit": float(os.environ.get("TMDB_RATE_LIMIT", 38.5)),
        "double_limit_per_s": args.limit,
        "exit_code": code,
        "summary_line": stdout.strip().splitlines()[-1],
        "sync_seconds": summary["seconds"],
        "process_wall_seconds": round(wall, 2),
        "movies_per_s": round(args.movies / summary["seconds"], 1),
        "upstream_calls_per_movie": round(received / args.movies, 3),
        "http_429_received": double.rejected,
        "movies_failed": int(summary["failed"]),
        "movies_created": int(summary["created"]),
        "achieved_request_rate": round(received / summary["seconds"], 1),
        "achieved_over_allowed": round(received / summary["seconds"] / args.limit, 3),
        "sync_process_cpu_seconds": round(cpu, 1),
        "cpu_ms_per_movie": round(cpu * 1000 / args.movies, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    met = (
        code == 0
        and report["movies_failed"] == 0
        and report["movies_per_s"] >= args.target_movies_per_s
        # per movie, plus the one call for TMDb's genre list that an empty genre table needs
        and received <= args.target_calls_per_movie * args.movies + 1
    )
    if args.rerun:
        before = double.accepted + double.rejected
        _, stdout2, _, code2, _ = run_sync(env, pages)
        rerun = parse_summary(stdout2)
        report["rerun_summary_line"] = stdout2.strip().splitlines()[-1]
        report["rerun_exit_code"] = code2
        report["rerun_upstream_calls"] = double.accepted + double.rejected - before
        met = met and code2 == 0 and rerun["created"] == 0 and rerun["failed"] == 0
    report["target_met"] = bool(met)
    double.stop()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    if code != 0:
        print(stderr[-2000:], file=sys.stderr)
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
