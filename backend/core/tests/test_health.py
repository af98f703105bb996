"""Liveness and readiness probes; readiness names the failing dependency."""

import os

import pytest
from django.conf import settings

from core import health

pytestmark = pytest.mark.django_db


def test_live_is_ok(api_client):
    response = api_client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ok"}


def test_ready_checks_database_cache_and_broker(api_client):
    response = api_client.get("/health/ready")
    assert response.status_code == 200, response.json()
    checks = response.json()["data"]["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


def test_ready_uses_the_configured_backends(api_client):
    """In the real-services pass this proves PostgreSQL, Redis and the broker answered."""
    checks = api_client.get("/health/ready").json()["data"]["checks"]
    expected_db = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite3"
    expected_cache = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"
    assert checks["database"]["backend"] == expected_db
    assert checks["cache"]["backend"] == expected_cache
    if os.environ.get("CELERY_BROKER_URL"):
        assert checks["broker"]["backend"] == os.environ["CELERY_BROKER_URL"].split(":", 1)[0]
    else:
        assert checks["broker"]["backend"] == "eager"


def test_ready_is_503_naming_the_failed_dependency(api_client, monkeypatch):
    # given
    def broken_cache():
        raise ConnectionError("redis is down")

    monkeypatch.setitem(health.CHECKS, "cache", broken_cache)
    # when
    response = api_client.get("/health/ready")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["errors"]["code"] == "service_unavailable"
    assert body["errors"]["failed"] == ["cache"]
    assert body["errors"]["checks"]["database"]["status"] == "ok"
    assert response["Retry-After"] == "5"


def test_broker_check_fails_fast_on_a_dead_broker(settings_dead_broker):
    with pytest.raises(Exception):  # noqa: B017 - any transport error means unavailable
        health.check_broker()


@pytest.fixture
def settings_dead_broker(monkeypatch):
    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setattr(settings, "CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:1//")
    monkeypatch.setattr(settings, "CELERY_BROKER_CONNECTION_TIMEOUT", 0.5)
