"""Bench configuration: paths, the environment's settings, and the list of targets."""

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
BENCH = ROOT / "bench"
RESULTS = ROOT / "bench-results"
VENV_BIN = Path(sys.executable).parent
BYPASS = {"X-Cache-Bypass": "1"}
NGINX_HOST = "localhost"  # the server_name nginx is rendered with; wrk sends it as Host
VIA_NGINX = {"Host": NGINX_HOST}
PERSONAL_PAGE = 20  # items on the signed-in favorites and watchlist pages (the bench user has more)
# The key the TMDb-compatible targets send (issued by `run.prepare`, unlimited rate).
BENCH_TMDB_KEY = secrets.token_hex(16)


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
    via_nginx: bool = False  # through real nginx (the deployment's config) in front of the server
    copy_of: str = ""  # a static file holding the bytes nginx answers for this path (written at start)


TARGETS = [
    Target("baseline", "/bench/baseline", "bare Django HttpResponse of pre-encoded bytes", cached=False),
    Target("detail_cached", "/api/v1/movies/550/", "anonymous movie detail, cached"),
    Target("list_cached", "/api/v1/movies/?page_size=20", "anonymous local catalog list, cached"),
    Target("popular_cached", "/api/v1/movies/popular/", "anonymous popular list, cached", optional=True),
    Target("genres_cached", "/api/v1/genres/", "anonymous genre list, cached", optional=True),
    # The TMDb-compatible API (docs/tmdb-compat.md), with a key: checked and counted on every
    # request, then the shared cached bytes.
    Target(
        "tmdb3_detail",
        f"/tmdb/3/movie/550?api_key={BENCH_TMDB_KEY}",
        "TMDb-compatible detail with an API key, cached",
        optional=True,
    ),
    Target(
        "tmdb3_popular",
        f"/tmdb/3/movie/popular?api_key={BENCH_TMDB_KEY}",
        "TMDb-compatible popular with an API key, cached",
        optional=True,
    ),
    Target("search", "/api/v1/movies/search/?q=club", "search (TMDb double behind the cache)", optional=True),
    # Signed in: the same URLs with the bench user's token (bench/personal.py gives that user
    # favorites, watchlist entries and viewings on these pages, so personal flags are merged).
    Target(
        "popular_signed_in",
        "/api/v1/movies/popular/",
        "signed-in popular list (the bench user's flags)",
        auth=True,
        optional=True,
    ),
    Target(
        "detail_signed_in",
        "/api/v1/movies/550/",
        "signed-in movie detail (the bench user's flags)",
        auth=True,
    ),
    Target(
        "search_signed_in",
        "/api/v1/movies/search/?q=club",
        "signed-in search (the bench user's flags)",
        auth=True,
        optional=True,
    ),
    Target(
        "list_filtered_uncached",
        "/api/v1/movies/?genre=18&min_rating=6&ordering=-vote_average&page_size=20",
        "local catalog list with filters, cache disabled",
        headers=BYPASS,
        cached=False,
    ),
    Target("detail_uncached", "/api/v1/movies/550/", "the same detail, cache disabled", BYPASS, cached=False),
    Target(
        "favorites_signed_in",
        f"/api/v1/favorites/?page_size={PERSONAL_PAGE}",
        f"signed-in favorites list, {PERSONAL_PAGE} items",
        auth=True,
        optional=True,
    ),
    Target(
        "watchlist_signed_in",
        f"/api/v1/watchlist/?page_size={PERSONAL_PAGE}",
        f"signed-in watchlist, {PERSONAL_PAGE} items",
        auth=True,
        optional=True,
    ),
    Target(
        "zipf_mix", "/api/v1/movies/", "Zipf mix over every movie (85% details, 15% list pages)", zipf=True
    ),
    Target(
        "nginx_cached",
        "/api/v1/movies/550/",
        "the anonymous detail through nginx (the deployment's config), answered from its proxy cache",
        VIA_NGINX,
        via_nginx=True,
    ),
    Target(
        "nginx_file",
        "/static/bench/movie-550.json",
        "nginx serving the same bytes and Content-Type from a static file (the ceiling for nginx_cached)",
        VIA_NGINX,
        cached=False,
        via_nginx=True,
        copy_of="/api/v1/movies/550/",
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
    "servers": (os.environ.get("BENCH_SERVERS") or "gunicorn,gunicorn-sync,granian").split(","),
    "warmup": env_int("BENCH_WARMUP", 40),
    "soak": env_int("BENCH_SOAK", 0),
    "warmup_hit_rate": float(os.environ.get("BENCH_WARMUP_HIT_RATE") or 0.95),
    "only": [name for name in (os.environ.get("BENCH_ONLY") or "").split(",") if name],
    "tmdb_base_url": os.environ.get("BENCH_TMDB_BASE_URL") or "http://127.0.0.1:9/3",
    "nginx": (os.environ.get("BENCH_NGINX") or "on").lower() not in {"0", "off", "false", "no"},
    # "18200-18299": every port the bench listens on (servers, nginx, the TMDb double) comes from this
    # range, for a machine whose ports are shared out; empty: any free port.
}


ZIPF_EXPONENT = float(os.environ.get("BENCH_ZIPF_EXPONENT") or 1.1)
WRK_THREADS = 2
