"""Project-wide pytest fixtures, and the guard that real services are really there."""

import os

import pytest
from rest_framework.test import APIClient

REAL_SERVICES = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}


def pytest_sessionstart(session):
    """In the real-services pass a missing service fails the run; it never skips."""
    missing = [name for name in sorted(REAL_SERVICES) if name in os.environ and not os.environ[name]]
    if missing:
        raise pytest.UsageError(f"Empty service URL(s): {', '.join(missing)}")


def real_services_configured() -> bool:
    return all(os.environ.get(name) for name in REAL_SERVICES)


def pytest_collection_modifyitems(config, items):
    """Tests marked `services` belong to the real-services pass only (deselected, never skipped)."""
    if real_services_configured():
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("services") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


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
    return real_services_configured()


# TMDB DOUBLE ------------------------------------------------------------------
@pytest.fixture(scope="session")
def _tmdb_double_server():
    from core.services.tmdb.double import TMDbDouble

    double = TMDbDouble().start()
    yield double
    double.stop()


@pytest.fixture
def tmdb_double(_tmdb_double_server, settings):
    """A local TMDb (real HTTP on 127.0.0.1) with an empty dataset; settings point the client at it.

    Seed with `tmdb_double.add_movie(...)`, program faults with `tmdb_double.fail(...)`, and assert
    upstream traffic with `tmdb_double.count(...)`.
    """
    from core.services.tmdb.double import API_KEY

    _tmdb_double_server.reset()
    settings.TMDB_BASE_URL = _tmdb_double_server.base_url
    settings.TMDB_API_KEY = API_KEY
    settings.TMDB_READ_ACCESS_TOKEN = ""
    yield _tmdb_double_server
    _tmdb_double_server.reset()
