"""/metrics: Prometheus exposition for a token bearer or staff only; hooks for other modules."""

import pytest

from core import metrics
from core.benchmark import BASELINE_BODY, baseline_view

pytestmark = pytest.mark.django_db


def test_metrics_needs_credentials(api_client):
    response = api_client.get("/metrics")
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(api_client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_signed_in_non_staff_user_is_forbidden(api_client, user_token):
    response = api_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {user_token}")
    assert response.status_code == 403


def test_staff_sees_request_and_cache_metrics(api_client, staff_token):
    # given some traffic
    api_client.get("/api/v1/movies/")
    api_client.get("/api/v1/movies/")
    # when
    response = api_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert 'movie_nexus_http_requests_total{method="GET",route="/api/v1/movies/",status="200"}' in body
    assert 'movie_nexus_cache_events_total{level="view",outcome="hit",tier="l1"}' in body
    assert "movie_nexus_http_request_duration_seconds_bucket" in body


def test_the_metrics_token_works(api_client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    response = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_requests_count_their_sql_queries_by_route(api_client):
    labels = {"route": "/api/v1/movies/"}
    before = metrics.sample("movie_nexus_http_db_queries_total", labels)
    api_client.get("/api/v1/movies/?page_size=7")
    assert metrics.sample("movie_nexus_http_db_queries_total", labels) > before


def test_unmatched_paths_share_one_label(api_client):
    labels = {"method": "GET", "route": "unmatched", "status": "404"}
    before = metrics.sample("movie_nexus_http_requests_total", labels)
    api_client.get("/no/such/path/1")
    api_client.get("/no/such/path/2")
    assert metrics.sample("movie_nexus_http_requests_total", labels) == before + 2


def test_hooks_for_tmdb_calls_and_sync_outcomes():
    labels = {"endpoint": "/movie/{id}", "outcome": "rate_limited"}
    before = metrics.sample("movie_nexus_tmdb_requests_total", labels)
    metrics.record_tmdb_call(endpoint="/movie/{id}", outcome="rate_limited", seconds=0.2)
    metrics.record_sync_items(job="sync_movies", outcome="created", count=3)
    metrics.record_sync_run(job="sync_movies", status="ok")
    assert metrics.sample("movie_nexus_tmdb_requests_total", labels) == before + 1
    assert metrics.sample("movie_nexus_sync_items_total", {"job": "sync_movies", "outcome": "created"}) >= 3
    assert metrics.sample("movie_nexus_sync_runs_total", {"job": "sync_movies", "status": "ok"}) >= 1


def test_the_bench_baseline_is_pre_encoded_bytes(rf):
    response = baseline_view(rf.get("/bench/baseline"))
    assert response.status_code == 200
    assert response.content == BASELINE_BODY


def test_a_staff_admin_session_may_read_metrics(client):
    # given a staff member signed in to the admin (a session, no token)
    from apps.authentication.models import User

    staff = User.objects.create_user("admin@example.com", "a-long-password-1", is_staff=True)
    client.force_login(staff)
    # when
    response = client.get("/metrics")
    # then
    assert response.status_code == 200


def test_every_metric_is_a_counter_or_histogram_so_a_dead_worker_loses_nothing():
    # In multiprocess mode a dead worker's counter and histogram files keep being summed, as they
    # should; only live gauges need `multiprocess.mark_process_dead`, a hook granian lacks.
    from prometheus_client.metrics import MetricWrapperBase

    defined = [value for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)]
    assert len(defined) >= 8
    assert {metric._type for metric in defined} <= {"counter", "histogram"}
