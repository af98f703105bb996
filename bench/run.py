"""`make bench`: the app under gunicorn and granian (production settings) on PostgreSQL + Redis, measured with wrk.

Everything is configurable from the environment (defaults in brackets):
  BENCH_DATABASE_URL [postgres://postgres@127.0.0.1:5432/movie_nexus_bench]  (created if missing)
  BENCH_REDIS_URL [redis://127.0.0.1:6379/15]   BENCH_CACHE_KEY_PREFIX [bench]  (only those keys are cleared)
  BENCH_MOVIES [5000]  BENCH_DURATION [5] s per run  BENCH_ROUNDS [2]  BENCH_CONNECTIONS [32]
  BENCH_SERVERS [gunicorn,granian]  BENCH_WORKERS [cores]  BENCH_THREADS [4]  BENCH_ONLY [all targets]
  BENCH_WARMUP [8] s of Zipf traffic per server before measuring  BENCH_ZIPF_EXPONENT [1.1]
  BENCH_TMDB_BASE_URL [http://127.0.0.1:9/3, refuses: every upstream call is counted and fails fast]

Targets are the TARGETS list below; endpoints that do not exist on this build are reported as
"n/a" (mark new ones optional until they land).
"""

import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
BENCH = ROOT / "bench"
RESULTS = ROOT / "bench-results"
VENV_BIN = Path(sys.executable).parent
BYPASS = {"X-Cache-Bypass": "1"}


@dataclass
class Target:
    name: str
    path: str
    what: str
    headers: dict = field(default_factory=dict)
    auth: bool = False  # sends a signed-in user's JWT
    zipf: bool = False  # walks the pre-sampled Zipf sequence of paths
    optional: bool = False  # may not exist on this build yet (then reported as n/a)
    cached: bool = True  # primed before measuring


TARGETS = [
    Target("baseline", "/bench/baseline", "bare Django HttpResponse of pre-encoded bytes", cached=False),
    Target("detail_cached", "/api/v1/movies/550/", "anonymous movie detail, cached"),
    Target("list_cached", "/api/v1/movies/?page_size=20", "anonymous local catalog list, cached"),
    Target("popular_cached", "/api/v1/movies/popular/", "anonymous popular list, cached", optional=True),
    Target("genres_cached", "/api/v1/genres/", "anonymous genre list, cached", optional=True),
    Target("search", "/api/v1/movies/search/?q=club", "search (TMDb double behind the cache)", optional=True),
    Target(
        "list_filtered_uncached",
        "/api/v1/movies/?genre=18&min_rating=6&ordering=-vote_average&page_size=20",
        "local catalog list with filters, cache disabled",
        headers=BYPASS,
        cached=False,
    ),
    Target("detail_uncached", "/api/v1/movies/550/", "the same detail, cache disabled", BYPASS, cached=False),
    Target("favorites_signed_in", "/api/v1/favorites/", "signed-in favorites list", auth=True, optional=True),
    Target(
        "zipf_mix", "/api/v1/movies/", "Zipf mix over every movie (85% details, 15% list pages)", zipf=True
    ),
]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


CONFIG = {
    "database_url": os.environ.get("BENCH_DATABASE_URL")
    or "postgres://postgres@127.0.0.1:5432/movie_nexus_bench",
    "redis_url": os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/15",
    "key_prefix": os.environ.get("BENCH_CACHE_KEY_PREFIX") or "bench",
    "movies": env_int("BENCH_MOVIES", 5000),
    "duration": env_int("BENCH_DURATION", 5),
    "rounds": env_int("BENCH_ROUNDS", 2),
    "connections": env_int("BENCH_CONNECTIONS", 32),
    "workers": env_int("BENCH_WORKERS", os.cpu_count() or 2),
    "threads": env_int("BENCH_THREADS", 4),
    "servers": (os.environ.get("BENCH_SERVERS") or "gunicorn,granian").split(","),
    "warmup": env_int("BENCH_WARMUP", 8),
    "only": [name for name in (os.environ.get("BENCH_ONLY") or "").split(",") if name],
    "tmdb_base_url": os.environ.get("BENCH_TMDB_BASE_URL") or "http://127.0.0.1:9/3",
}


# SETUP ------------------------------------------------------------------------------
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing; installing it with apt-get …", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)  # noqa: S607
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed: run `apt-get install -y wrk` (as root) and retry")
    return found


def app_env(metrics_token: str) -> dict:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("PROMETHEUS_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PYTHONPATH": str(BACKEND),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": CONFIG["database_url"],
        "REDIS_URL": CONFIG["redis_url"],
        "CACHE_KEY_PREFIX": CONFIG["key_prefix"],
        "BENCH_ENDPOINTS": "true",
        "METRICS_TOKEN": metrics_token,
        "THROTTLE_ANON": "100000000/min",
        "THROTTLE_USER": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "TMDB_BASE_URL": CONFIG["tmdb_base_url"],
        "TMDB_API_KEY": "bench-double",
    }


def create_database() -> None:
    import psycopg

    url = CONFIG["database_url"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict) -> dict:
    """Migrates, loads the catalog, clears this bench's cache keys, mints a user token."""
    os.environ.update(env)
    sys.path.insert(0, str(BACKEND))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.authentication.models import User
    from bench import catalog

    create_database()
    call_command("migrate", verbosity=0, interactive=False)
    counts = catalog.load(CONFIG["movies"])
    cache.delete_pattern("*")  # this prefix only: never FLUSHDB on a shared Redis
    user = User.objects.filter(email="bench@example.com").first() or User.objects.create_user(
        "bench@example.com", secrets.token_urlsafe(16), email_verified=True
    )
    from apps.movies.models import Movie

    ranked = list(
        Movie.objects.filter(is_active=True).order_by("-popularity").values_list("tmdb_id", flat=True)
    )
    return {"counts": counts, "token": str(AccessToken.for_user(user)), "ranked_ids": ranked}


ZIPF_EXPONENT = float(os.environ.get("BENCH_ZIPF_EXPONENT") or 1.1)
WRK_THREADS = 2


def zipf_paths(ranked_ids: list[int], count: int = 400000, exponent: float = ZIPF_EXPONENT) -> Path:
    """A pre-sampled request sequence: movie ids and list pages with Zipf-distributed popularity."""
    rng = random.Random(7)  # noqa: S311 - a reproducible sample, not crypto
    movie_ids = rng.choices(
        ranked_ids, [1 / (rank + 1) ** exponent for rank in range(len(ranked_ids))], k=count
    )
    pages = rng.choices(range(1, 51), [1 / page**exponent for page in range(1, 51)], k=count)
    lines = [
        f"/api/v1/movies/{movie_id}/" if rng.random() < 0.85 else f"/api/v1/movies/?page={page}"
        for movie_id, page in zip(movie_ids, pages, strict=True)
    ]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "zipf_paths.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


# SERVERS ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(name: str, port: int) -> list[str]:
    workers, threads = str(CONFIG["workers"]), str(CONFIG["threads"])
    if name == "gunicorn":
        conf = BENCH / "gunicorn.conf.py"
        return [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "-c",
            str(conf),
            "--bind",
            f"127.0.0.1:{port}",
        ]
    if name == "granian":
        return [
            str(VENV_BIN / "granian"),
            "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", workers, "--blocking-threads", threads,
            "--no-access-log", "--log-level", "warning", "config.wsgi:application",
        ]  # fmt: skip
    raise SystemExit(f"unknown server {name!r}")


class Server:
    def __init__(self, name: str, env: dict):
        self.name = name
        self.port = free_port()
        self.metrics_dir = Path(tempfile.mkdtemp(prefix=f"bench-prom-{name}-"))
        env = {
            **env,
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "BENCH_WORKERS": str(CONFIG["workers"]),
        }
        self.log = open(RESULTS / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            server_command(name, self.port), cwd=BACKEND, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log.name}")
            try:
                if http_get(self.base + "/health/live")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start within {timeout}s; see {self.log.name}")

    def worker_memory(self) -> dict[int, dict[str, int]]:
        """VmRSS and VmHWM (peak) in KiB of every process of this server, by pid."""
        pids = descendants(self.process.pid)
        return {pid: memory_of(pid) for pid in pids if memory_of(pid)}

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script started, by its id
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.metrics_dir, ignore_errors=True)


def descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def memory_of(pid: int) -> dict[str, int]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
    return {key: int(value) for key, value in values.items()}


# HTTP, METRICS, WRK -----------------------------------------------------------------
def http_get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(server: Server, token: str) -> list[tuple[str, dict, float]]:
    status, _, body = http_get(server.base + "/metrics", {"Authorization": f"Bearer {token}"})
    if status != 200:
        raise SystemExit(f"/metrics answered {status} on {server.name}")
    samples = []
    for line in body.decode().splitlines():
        match = _SAMPLE.match(line)
        if match and not line.startswith("#"):
            samples.append(
                (match.group(1), dict(_LABEL.findall(match.group(3) or "")), float(match.group(4)))
            )
    return samples


def total(samples, name: str, **where) -> float:
    return sum(
        value
        for sample, labels, value in samples
        if sample == name and all(labels.get(key) == want for key, want in where.items())
    )


def not_metrics(samples, name: str) -> float:
    return sum(
        value for sample, labels, value in samples if sample == name and labels.get("route") != "/metrics"
    )


def deltas(before, after) -> dict:
    def delta(function, *args, **kwargs):
        return function(after, *args, **kwargs) - function(before, *args, **kwargs)

    requests = delta(not_metrics, "movie_nexus_http_requests_total")
    queries = delta(not_metrics, "movie_nexus_http_db_queries_total")
    events = {
        (tier, outcome): delta(
            total, "movie_nexus_cache_events_total", level="view", tier=tier, outcome=outcome
        )
        for tier in ("l1", "l2")
        for outcome in ("hit", "miss", "stale", "error")
    }
    hits = events["l1", "hit"] + events["l2", "hit"] + events["l2", "stale"]
    lookups = hits + events["l2", "miss"]
    return {
        "app_requests": requests,
        "sql_per_request": queries / requests if requests else 0.0,
        "hit_rate": hits / lookups if lookups else None,
        "l1_share": events["l1", "hit"] / hits if hits else None,
        "cache_errors": events["l1", "error"] + events["l2", "error"],
        "tmdb_calls": delta(total, "movie_nexus_tmdb_requests_total"),
    }


class ZipfCursor:
    """Where each wrk thread is in the Zipf sequence: every run continues where the last one stopped."""

    skip = 0


def run_wrk(wrk: str, url: str, target: Target, token: str, paths: Path, duration: int) -> dict:
    headers = dict(target.headers)
    if target.auth:
        headers["Authorization"] = f"Bearer {token}"
    command = [
        wrk,
        "-t",
        str(WRK_THREADS),
        "-c",
        str(CONFIG["connections"]),
        "-d",
        f"{duration}s",
        "--timeout",
        "5s",
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command += ["-s", str(BENCH / "wrk.lua"), url]
    if target.zipf:
        command += ["--", str(paths), str(WRK_THREADS), str(ZipfCursor.skip)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed for {target.name}: {result.stdout}\n{result.stderr}")
    data = json.loads(line.split(" ", 1)[1])
    if target.zipf:
        ZipfCursor.skip += data["requests"] // WRK_THREADS + CONFIG["connections"]
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["errors"] + data["non_2xx_3xx"],
        "requests": data["requests"],
    }


# THE RUN ----------------------------------------------------------------------------
def preflight(server: Server, targets: list[Target], token: str, paths: Path) -> list[Target]:
    available = []
    for target in targets:
        url = server.base + (paths.read_text().split("\n", 1)[0] if target.zipf else target.path)
        headers = dict(target.headers) | ({"Authorization": f"Bearer {token}"} if target.auth else {})
        status = http_get(url, headers)[0]
        if status == 200:
            available.append(target)
        elif target.optional and status in (404, 405):
            print(f"  {target.name:<24} n/a on this build ({status})")
        else:
            raise SystemExit(f"{target.name}: {url} answered {status}")
    return available


def warm(wrk: str, servers: list[Server], targets: list[Target], token: str, paths: Path) -> None:
    for server in servers:
        for target in targets:
            if target.zipf:
                run_wrk(wrk, server.base + target.path, target, token, paths, duration=CONFIG["warmup"])
            elif target.cached:
                for _ in range(3):
                    http_get(
                        server.base + target.path, {"Authorization": f"Bearer {token}"} if target.auth else {}
                    )


def measure(wrk, servers, targets, token, metrics_token, paths) -> dict:
    runs: dict = {server.name: {target.name: [] for target in targets} for server in servers}
    for round_number in range(1, CONFIG["rounds"] + 1):
        for target in targets:
            for server in servers:  # interleaved: each target on each server, round after round
                before = scrape(server, metrics_token)
                result = run_wrk(wrk, server.base + target.path, target, token, paths, CONFIG["duration"])
                result.update(deltas(before, scrape(server, metrics_token)))
                runs[server.name][target.name].append(result)
                print(
                    f"  round {round_number} {server.name:<9} {target.name:<24} {result['rps']:>9.0f} req/s"
                    f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms",
                    flush=True,
                )
    return runs


def summarise(runs: dict) -> dict:
    summary = {}
    for server, by_target in runs.items():
        rows = {}
        for target, results in by_target.items():
            n = len(results)
            hit_rates = [r["hit_rate"] for r in results if r["hit_rate"] is not None]
            rows[target] = {
                "rps": sum(r["rps"] for r in results) / n,
                "p50_ms": sum(r["p50_ms"] for r in results) / n,
                "p99_ms": max(r["p99_ms"] for r in results),
                "errors": sum(r["errors"] for r in results),
                "hit_rate": sum(hit_rates) / len(hit_rates) if hit_rates else None,
                "l1_share": results[-1]["l1_share"],
                "sql_per_request": sum(r["sql_per_request"] for r in results) / n,
                "tmdb_calls": sum(r["tmdb_calls"] for r in results),
            }
        baseline = rows.get("baseline", {}).get("rps")
        for row in rows.values():
            row["ratio"] = row["rps"] / baseline if baseline else None
        summary[server] = rows
    return summary


def table(summary: dict, targets: list[Target], memory: dict) -> str:
    lines = []
    for server, rows in summary.items():
        lines += [
            f"### {server}",
            "",
            "| target | req/s | p50 ms | p99 ms | vs baseline | view hit rate | of hits from L1 | SQL/req | TMDb calls | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for target in targets:
            row = rows[target.name]
            hit = "—" if row["hit_rate"] is None else f"{row['hit_rate']:.1%}"
            ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
            l1 = "—" if row["l1_share"] is None else f"{row['l1_share']:.0%}"
            lines.append(
                f"| {target.name} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {ratio} "
                f"| {hit} | {l1} | {row['sql_per_request']:.2f} | {row['tmdb_calls']:.0f} | {row['errors']} |"
            )
        mem = memory[server]
        lines += [
            "",
            f"Worker memory (KiB): peak RSS {mem['peak_kib']}, RSS after warm-up {mem['start_kib']} → "
            f"at the end {mem['end_kib']} (per worker, largest).",
            "",
        ]
    return "\n".join(lines)


def conclusion(summary: dict) -> str:
    if len(summary) < 2:
        return "Only one server was measured."
    keys = ["detail_cached", "list_cached", "zipf_mix"]

    def score(rows):
        return sum(rows[key]["rps"] for key in keys if key in rows)

    ranked = sorted(summary, key=lambda name: score(summary[name]), reverse=True)
    first, second = ranked[0], ranked[1]
    gain = score(summary[first]) / score(summary[second]) - 1 if score(summary[second]) else 0
    return (
        f"On the cached reads (detail, list, Zipf mix) **{first}** served {gain:.0%} more requests/s "
        f"than {second} in this run."
    )


def write_report(summary, targets, memory, counts, started, elapsed, unavailable) -> None:
    path = ROOT / "docs" / "performance.md"
    notes = ""
    if path.exists() and "<!-- notes -->" in path.read_text():
        notes = path.read_text().split("<!-- notes -->", 1)[1]
    config = CONFIG
    load = " → ".join(f"{value:.1f}" for value in (LOAD["start"], os.getloadavg()[0]))
    text = f"""# Performance

Generated by `make bench` ({started:%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s). Machine: {os.cpu_count()} cores,
1-minute load average {load} (start → end; anything well above the core count means other work shared
the CPU and every figure below is depressed by it).
The app runs with the production settings on PostgreSQL + Redis, {config["workers"]} workers
x {config["threads"]} threads per server; wrk uses 2 threads and {config["connections"]} connections,
{config["duration"]} s per run, {config["rounds"]} interleaved rounds (req/s and p50 are means over rounds,
p99 the worst round). Catalog: {counts["movies"]} movies ({counts["generated"]} generated from the demo
catalog's shapes), {counts["genres"]} genres. wrk runs on the same 2 cores as the server, so absolute
numbers are lower than on a dedicated load generator; the ratios are what to compare.

Zipf mix: a pre-sampled stream (exponent {ZIPF_EXPONENT}) over every movie; {config["warmup"]} s of it warm
each server first and every measured run continues the stream where the previous run stopped.

Columns: "vs baseline" is req/s over the bare-HttpResponse baseline on the same server; "view hit rate" is
(L1 + L2 hits + stale) / lookups at the view level during the run (from `/metrics`); "SQL/req" is SQL queries
per application request (from `/metrics`); "TMDb calls" are upstream calls made during the run.

{table(summary, targets, memory)}
{conclusion(summary)}

Targets not on this build yet (reported n/a): {", ".join(unavailable) or "none"}.

Targets: {"; ".join(f"`{t.name}` {t.what}" for t in targets)}.

<!-- notes -->{notes}"""
    path.write_text(text)
    (RESULTS / "latest.json").write_text(
        json.dumps({"config": config, "summary": summary, "memory": memory}, indent=2)
    )


LOAD = {"start": 0.0}


def main() -> None:
    started, clock = datetime.now(UTC), time.monotonic()
    LOAD["start"] = os.getloadavg()[0]
    wrk = ensure_wrk()
    RESULTS.mkdir(exist_ok=True)
    metrics_token = secrets.token_urlsafe(24)
    env = app_env(metrics_token)
    print(f"preparing the database and catalog ({CONFIG['movies']} generated movies) …", flush=True)
    prepared = prepare(env)
    paths = zipf_paths(prepared["ranked_ids"])
    token = prepared["token"]
    wanted = [t for t in TARGETS if not CONFIG["only"] or t.name in CONFIG["only"] or t.name == "baseline"]
    servers = [Server(name, env) for name in CONFIG["servers"]]
    try:
        for server in servers:
            server.wait_ready()
        print("checking targets …", flush=True)
        targets = preflight(servers[0], wanted, token, paths)
        unavailable = [t.name for t in wanted if t not in targets]
        print("warming up …", flush=True)
        warm(wrk, servers, targets, token, paths)
        start_memory = {server.name: server.worker_memory() for server in servers}
        print("measuring …", flush=True)
        runs = measure(wrk, servers, targets, token, metrics_token, paths)
        memory = {}
        for server in servers:
            end = server.worker_memory()
            memory[server.name] = {
                "peak_kib": max((m.get("VmHWM", 0) for m in end.values()), default=0),
                "start_kib": max((m.get("VmRSS", 0) for m in start_memory[server.name].values()), default=0),
                "end_kib": max((m.get("VmRSS", 0) for m in end.values()), default=0),
            }
    finally:
        for server in servers:
            server.stop()
    summary = summarise(runs)
    write_report(summary, targets, memory, prepared["counts"], started, time.monotonic() - clock, unavailable)
    print()
    print(table(summary, targets, memory))
    print(conclusion(summary))
    print(f"\nwritten: docs/performance.md, {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
