"""`make bench`: the app under gunicorn (gthread, sync) and granian (production settings) on PostgreSQL + Redis, with wrk.

Everything is configurable from the environment (defaults in brackets):
  BENCH_DATABASE_URL [postgres://postgres@127.0.0.1:5432/movie_nexus_bench]  (created if missing)
  BENCH_REDIS_URL [redis://127.0.0.1:6379/15]   BENCH_CACHE_KEY_PREFIX [bench]  (only those keys are cleared)
  BENCH_MOVIES [5000]  BENCH_DURATION [5] s per run  BENCH_ROUNDS [2]  BENCH_CONNECTIONS [32]
  BENCH_SERVERS [gunicorn,gunicorn-sync,granian] (gunicorn = gthread workers; granian is the deployment's)
  BENCH_WORKERS [cores]  BENCH_THREADS [4]  BENCH_ONLY [all targets] (comma-separated names; the baseline
    and the anonymous reads the named signed-in targets are judged by always run too)
  BENCH_WARMUP [40] s at most of Zipf warm-up per server, ending early at BENCH_WARMUP_HIT_RATE [0.95]
  BENCH_ZIPF_EXPONENT [1.1]  BENCH_SOAK [0] s of Zipf mix per server afterwards, sampling worker RSS
  BENCH_TMDB_BASE_URL [http://127.0.0.1:9/3, refuses: every upstream call is counted and fails fast]
  BENCH_NGINX [on]  real nginx with the deployment's config (nginx/) in front of each server, for the
    targets nginx_cached (the anonymous detail answered from nginx's proxy cache) and nginx_file (nginx
    serving the same bytes from a static file); the report gives their ratio (target >= 0.5). "off",
    or no nginx installed, reports them as n/a.
  FREE_PORT_RANGE [unset: the kernel picks] e.g. 15200-15299: the ports the servers and nginx listen on

The signed-in targets (`*_signed_in`) send the token of a bench user whom bench/personal.py gives
favorites, watchlist entries and viewings on the measured pages; each server is then probed one
request at a time (SQL warm and after the user's own write, bytes per item, flags merged).

Targets are the TARGETS list in bench/config.py; endpoints that do not exist on this build are reported as
"n/a" (mark new ones optional until they land).
"""

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from . import personal, proxy
from .config import BACKEND, BENCH_TMDB_KEY, CONFIG, RESULTS, ROOT, TARGETS, ZIPF_EXPONENT, Target
from .measure import deltas, http_get, run_wrk, scrape
from .report import (
    LOAD,
    NGINX,
    SIGNED_IN,
    SIGNED_IN_BASES,
    attach,
    conclusion,
    nginx_text,
    signed_in_text,
    summarise,
    table,
    targets_text,
    write_report,
)
from .servers import Server
from .tmdb import Upstream
from .tmdb import start as start_upstream


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
        # The signed-in targets use one access token for the whole run (rounds, soak, probes):
        # it must outlive it (the default 10 minutes expired mid-run: every request a 401).
        "JWT_ACCESS_MINUTES": "240",
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

    from apps.authentication.models import User
    from apps.authentication.services.tokens import TokenService
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
    issue_tmdb_key()
    pair = TokenService().issue_for_new_session(
        user=user, ip_address=None, user_agent="bench", device="bench"
    )
    return {"counts": counts, "token": pair.access, "ranked_ids": ranked, "upstream": upstream_movies()}


def upstream_movies(count: int = 500) -> list[dict]:
    """The most popular movies with the values the catalog stores, for the TMDb double to serve."""
    from apps.movies.models import Movie

    movies = (
        Movie.objects.filter(is_active=True).order_by("-popularity").prefetch_related("movie_genres__genre")
    )
    return [
        {
            "tmdb_id": movie.tmdb_id,
            "title": movie.title,
            "original_title": movie.original_title,
            "overview": movie.overview,
            "original_language": movie.original_language,
            "adult": movie.adult,
            "popularity": movie.popularity,
            "vote_average": movie.vote_average,
            "vote_count": movie.vote_count,
            "release_date": movie.release_date.isoformat() if movie.release_date else "",
            "poster_path": movie.poster_path or None,
            "backdrop_path": movie.backdrop_path or None,
            "genre_ids": [
                link.genre.tmdb_id
                for link in sorted(
                    movie.movie_genres.all(), key=lambda link: (link.position, not link.is_primary)
                )
            ],
        }
        for movie in movies[:count]
    ]


def issue_tmdb_key() -> None:
    """The TMDb-compatible targets' key, unlimited (the bench measures the server, not the limiter)."""
    from apps.tmdbcompat.apikeys import ApiKeyService
    from apps.tmdbcompat.models import ApiKey

    ApiKey.objects.filter(name="bench").delete()
    ApiKeyService.create(name="bench", rate_limit=10**9, raw=BENCH_TMDB_KEY)


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


# THE RUN ----------------------------------------------------------------------------
def preflight(server: Server, targets: list[Target], token: str, paths: Path) -> list[Target]:
    available = []
    for target in targets:
        url = server.base_for(target) + (paths.read_text().split("\n", 1)[0] if target.zipf else target.path)
        headers = dict(target.headers) | ({"Authorization": f"Bearer {token}"} if target.auth else {})
        status = http_get(url, headers)[0]
        if status == 200:
            available.append(target)
        elif target.optional and status in (404, 405):
            print(f"  {target.name:<24} n/a on this build ({status})")
        else:
            raise SystemExit(f"{target.name}: {url} answered {status}")
    return available


def warm(wrk: str, servers: list[Server], targets: list[Target], token: str, paths: Path, metrics_token: str):
    """Primes the cached targets; walks the Zipf stream in chunks until a chunk's hit rate reaches
    BENCH_WARMUP_HIT_RATE or BENCH_WARMUP seconds have gone (bounded either way)."""
    report = {}
    for server in servers:
        for target in targets:
            if target.zipf:
                report[server.name] = warm_zipf(wrk, server, target, token, paths, metrics_token)
            elif target.cached and target.via_nginx:
                server.front.prime(target.path, target.headers)
            elif target.cached:
                for _ in range(3):
                    http_get(
                        server.base + target.path,
                        target.headers | ({"Authorization": f"Bearer {token}"} if target.auth else {}),
                    )
    return report


def warm_zipf(wrk: str, server: Server, target: Target, token: str, paths: Path, metrics_token: str) -> dict:
    deadline = time.monotonic() + CONFIG["warmup"]
    requests, hit_rate = 0, 0.0
    while time.monotonic() < deadline and hit_rate < CONFIG["warmup_hit_rate"]:
        before = scrape(server.base, metrics_token)
        result = run_wrk(wrk, server.base + target.path, target, token, paths, duration=4)
        hit_rate = deltas(before, scrape(server.base, metrics_token))["hit_rate"] or 0.0
        requests += result["requests"]
    print(f"  {server.name:<13} Zipf warm-up: {requests} requests, last chunk's hit rate {hit_rate:.1%}")
    return {"requests": requests, "hit_rate": hit_rate}


def measure(wrk, servers, targets, token, metrics_token, paths, upstream: Upstream) -> dict:
    runs: dict = {server.name: {target.name: [] for target in targets} for server in servers}
    for round_number in range(1, CONFIG["rounds"] + 1):
        for target in targets:
            for server in servers:  # interleaved: each target on each server, round after round
                if target.via_nginx:
                    if target.cached:
                        server.front.prime(target.path, target.headers)  # a HIT now, whatever expired
                    server.front.forget_log()  # from here on, only this run's requests
                before, upstream_before = scrape(server.base, metrics_token), upstream.requests()
                url = server.base_for(target) + target.path
                result = run_wrk(wrk, url, target, token, paths, CONFIG["duration"])
                result.update(deltas(before, scrape(server.base, metrics_token)))
                if target.via_nginx:
                    result["proxy_cache"] = dict(server.front.cache_statuses())
                if upstream.present:
                    result["tmdb_calls"] = upstream.requests() - upstream_before
                runs[server.name][target.name].append(result)
                print(
                    f"  round {round_number} {server.name:<13} {target.name:<24} {result['rps']:>9.0f} req/s"
                    f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms",
                    flush=True,
                )
    return runs


def soak(wrk: str, servers: list[Server], target: Target, token: str, paths: Path) -> dict:
    """A long Zipf run per server while the largest worker's RSS is sampled: is memory flat?"""
    report = {}
    for server in servers:
        samples = []
        with ThreadPoolExecutor(1) as pool:
            run = pool.submit(run_wrk, wrk, server.base + target.path, target, token, paths, CONFIG["soak"])
            while not run.done():
                samples.append(max((m.get("VmRSS", 0) for m in server.worker_memory().values()), default=0))
                time.sleep(max(1.0, CONFIG["soak"] / 20))
            result = run.result()
        report[server.name] = {
            "rps": result["rps"],
            "first": samples[0],
            "last": samples[-1],
            "max": max(samples),
        }
        print(
            f"  soak {server.name:<13} {CONFIG['soak']} s: RSS {samples[0]} → {samples[-1]} KiB (max {max(samples)})"
        )
    return report


def without_nginx(targets: list[Target]) -> list[Target]:
    """The targets, less the nginx ones when nginx cannot run here (reported n/a)."""
    why = proxy.unavailable()
    if why is None:
        return targets
    for target in targets:
        if target.via_nginx:
            print(f"  {target.name:<24} n/a ({why})")
    return [target for target in targets if not target.via_nginx]


def start_nginx(servers: list[Server], targets: list[Target]) -> None:
    """nginx in front of each server (stopped with it), and the static copies the file targets serve."""
    NGINX["version"] = proxy.version()
    print(f"starting {NGINX['version']} with the deployment's config in front of each server …")
    for server in servers:
        server.front = proxy.Nginx(server.name, server.port)
    for server in servers:
        server.front.wait_ready()
        for target in targets:
            if target.copy_of:
                server.front.publish(target.path, target.copy_of, target.headers)


def wanted_names(only: list[str]) -> set[str]:
    """BENCH_ONLY's targets, the baseline, and the anonymous reads its signed-in ones are judged by."""
    return {"baseline", *only, *(base for name, base, _ in SIGNED_IN if name in only)}


def main() -> None:
    # SIGTERM unwinds like Ctrl-C, so the finally below stops every process this run started.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
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
    upstream = start_upstream(prepared["upstream"])
    if upstream.present:
        env |= {"TMDB_BASE_URL": upstream.base_url, "TMDB_API_KEY": upstream.api_key}
    print(f"TMDb: {'the local double at ' + upstream.base_url if upstream.present else 'none (closed port)'}")
    requested = [t for t in TARGETS if not CONFIG["only"] or t.name in wanted_names(CONFIG["only"])]
    wanted = without_nginx(requested) if any(t.via_nginx for t in requested) else requested
    servers = [Server(name, env) for name in CONFIG["servers"]]
    try:
        for server in servers:
            server.wait_ready()
        if any(t.via_nginx for t in wanted):
            start_nginx(servers, wanted)
        if any(t.auth for t in wanted):
            added = personal.seed(servers[0].base, token, prepared["ranked_ids"])
            print("the bench user keeps: " + ", ".join(f"{path} {count}" for path, count in added.items()))
        print("checking targets …", flush=True)
        targets = preflight(servers[0], wanted, token, paths)
        unavailable = [t.name for t in requested if t not in targets]
        print("warming up …", flush=True)
        warmup = warm(wrk, servers, targets, token, paths, metrics_token)
        start_memory = {server.name: server.worker_memory() for server in servers}
        print("measuring …", flush=True)
        runs = measure(wrk, servers, targets, token, metrics_token, paths, upstream)
        zipf = next((target for target in targets if target.zipf), None)
        soaked = soak(wrk, servers, zipf, token, paths) if CONFIG["soak"] and zipf else {}
        print("probing the signed-in targets one request at a time …", flush=True)
        probes = {
            server.name: personal.probe(server.base, token, metrics_token, targets)
            | personal.probe_anonymous(server.base, targets, SIGNED_IN_BASES)
            for server in servers
        }
        for server, probed in probes.items():
            for name in personal.unflagged(probed):
                print(f"  WARNING {server} {name}: no movie on the page carries a personal flag")
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
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001 - stop the others anyway, then report it
                print(f"stopping {server.name} failed: {error!r}", file=sys.stderr)
        upstream.stop()
    summary = attach(summarise(runs), probes)
    elapsed = time.monotonic() - clock
    write_report(summary, targets, memory, prepared["counts"], started, elapsed, unavailable, warmup, soaked)
    print()
    print(table(summary, targets, memory))
    print(conclusion(summary))
    print()
    print(targets_text(summary, soaked))
    if signed_in_text(summary):
        print("\n" + signed_in_text(summary))
    if nginx_text(summary):
        print("\n" + nginx_text(summary))
    print(f"\nwritten: docs/performance.md, {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
