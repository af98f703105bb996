"""Prometheus metrics: HTTP latency/status by route, cache events, TMDb calls, sync outcomes.

Hooks for other modules are the small `record_*` functions below; they never raise. With
PROMETHEUS_MULTIPROC_DIR set (gunicorn/granian workers), every process writes its own files and
`/metrics` aggregates them, so one scrape sees the whole machine. Values read from the database
(freshness gauges) are not recorded at all: apps register a collector with
`register_scrape_collector`, and the process answering the scrape computes them, in both modes.
"""

import hmac
import logging
import os
import time
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # each worker writes its files there; it must exist
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric

from .middleware import envelope_error_response

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "movie_nexus_http_requests_total", "HTTP responses by route and status.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "movie_nexus_http_request_duration_seconds",
    "Time from the first middleware to the response, by route.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_DB_QUERIES = Counter(
    "movie_nexus_http_db_queries_total", "SQL queries run while serving requests, by route.", ["route"]
)
CACHE_EVENTS = Counter(
    "movie_nexus_cache_events_total",
    "Cache lookups by level (view, service, query), tier (l1, l2) and outcome (hit, miss, stale, error).",
    ["level", "tier", "outcome"],
)
CACHE_BREAKER_OPENS = Counter(
    "movie_nexus_cache_breaker_open_total", "Times the Redis circuit breaker opened."
)
TMDB_REQUESTS = Counter(
    "movie_nexus_tmdb_requests_total", "Upstream TMDb calls by endpoint and outcome.", ["endpoint", "outcome"]
)
TMDB_LATENCY = Histogram(
    "movie_nexus_tmdb_request_duration_seconds",
    "Upstream TMDb call duration by endpoint.",
    ["endpoint"],
    buckets=LATENCY_BUCKETS,
)
SYNC_ITEMS = Counter(
    "movie_nexus_sync_items_total", "Items processed by sync jobs, by outcome.", ["job", "outcome"]
)
SYNC_RUNS = Counter("movie_nexus_sync_runs_total", "Sync job runs by exit status.", ["job", "status"])


# HOOKS --------------------------------------------------------------------------
def record_cache(*, level: str, tier: str, outcome: str) -> None:
    CACHE_EVENTS.labels(level, tier, outcome).inc()


def record_breaker_open() -> None:
    CACHE_BREAKER_OPENS.inc()


def record_tmdb_call(*, endpoint: str, outcome: str = "ok", seconds: float | None = None) -> None:
    """One upstream call. `endpoint` is the path template (e.g. "/movie/{id}"), never the raw path;
    `outcome` is "ok" or an error kind ("not_found", "rate_limited", "unavailable", "timeout", …)."""
    TMDB_REQUESTS.labels(endpoint, outcome).inc()
    if seconds is not None:
        TMDB_LATENCY.labels(endpoint).observe(seconds)


def record_sync_items(*, job: str, outcome: str, count: int = 1) -> None:
    """Items a sync job handled: outcome created, updated, unchanged or failed."""
    if count:
        SYNC_ITEMS.labels(job, outcome).inc(count)


def record_sync_run(*, job: str, status: str) -> None:
    """One run of a sync job: status "ok", "partial" (some items failed) or "failed"."""
    SYNC_RUNS.labels(job, status).inc()


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of one sample in this process (tests and the bench use it)."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


# MIDDLEWARE ---------------------------------------------------------------------
class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    """Times every request and counts its SQL queries, labelled by the matched URL pattern."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        queries = _QueryCounter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        route = _route(request)
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        if queries.count:
            HTTP_DB_QUERIES.labels(route).inc(queries.count)
        return response


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + match.route.lstrip("^").rstrip("$") if match.route else match.view_name or "unknown"


# EXPOSITION ---------------------------------------------------------------------
class ScrapeCollector(Protocol):
    """Computes its families when /metrics is scraped; cheap (one aggregate query), never raises."""

    def collect(self) -> Iterable[Metric]: ...


_SCRAPE_COLLECTORS: dict[str, ScrapeCollector] = {}


def register_scrape_collector(name: str, collector: ScrapeCollector) -> None:
    """Adds (or replaces, by `name`) a collector that runs at scrape time; apps call it in `ready()`."""
    _SCRAPE_COLLECTORS[name] = collector


class _Recorded:
    """This process's own counters and histograms (no multiprocess directory)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition() -> bytes:
    """What was recorded (this process, or every worker's files), then the scrape-time collectors."""
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_Recorded())
    for collector in _SCRAPE_COLLECTORS.values():
        registry.register(collector)
    return generate_latest(registry)


def _authorized(request: HttpRequest) -> int:
    """0 when allowed, else the status to answer (401 no/invalid credentials, 403 not staff)."""
    header = request.headers.get("Authorization", "")
    token = settings.METRICS_TOKEN
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return 0
    user = _jwt_user(request) if header else None
    if user is None:
        user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 401
    return 0 if user.is_staff else 403


def _jwt_user(request: HttpRequest):
    """The user the API's configured authentication classes (JWT) find in the request, if any."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(request)
    for authentication_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            result = authentication_class().authenticate(drf_request)
        except APIException:
            return None
        if result:
            return result[0]
    return None


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: the Prometheus text exposition, for METRICS_TOKEN bearers and staff only."""
    if request.method != "GET":
        return envelope_error_response(405)
    status = _authorized(request)
    if status:
        response = envelope_error_response(status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def child_exit(server, worker) -> None:
    """gunicorn `child_exit` hook: drop a dead worker's live gauges in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
