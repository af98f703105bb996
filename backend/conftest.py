"""Project-wide pytest fixtures, and the guard that real services are really there."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

REAL_SERVICES = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}


def pytest_sessionstart(session):
    """In the real-services pass a missing service fails the run; it never skips."""
    missing = [name for name in sorted(REAL_SERVICES) if name in os.environ and not os.environ[name]]
    if missing:
        raise pytest.UsageError(f"Empty service URL(s): {', '.join(missing)}")


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield


def clear_cache() -> None:
    """Empties this run's cache keys only (never FLUSHDB on a shared Redis)."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def using_real_services() -> bool:
    return bool(settings.DATABASE_URL and settings.REDIS_URL and os.environ.get("CELERY_BROKER_URL"))
