"""Project-wide pytest fixtures, and the guard that real services are really there."""

import os
import shutil

import pytest
from rest_framework.test import APIClient

REAL_SERVICES = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
CHROMEDRIVER = "/usr/bin/chromedriver"


def pytest_sessionstart(session):
    """In the real-services pass a missing service fails the run; it never skips."""
    missing = [name for name in sorted(REAL_SERVICES) if name in os.environ and not os.environ[name]]
    if missing:
        raise pytest.UsageError(f"Empty service URL(s): {', '.join(missing)}")


def real_services_configured() -> bool:
    return all(os.environ.get(name) for name in REAL_SERVICES)


def browser_available() -> bool:
    """Debian's chromium and chromium-driver are installed (the admin's browser test needs them)."""
    return bool(shutil.which("chromium")) and os.access(CHROMEDRIVER, os.X_OK)


def deselected_markers() -> set[str]:
    """`services` outside the real-services pass; `browser` without chromium, unless in CI (there
    it runs, and fails if chromium is missing)."""
    markers = set()
    if not real_services_configured():
        markers.add("services")
    if not os.environ.get("CI") and not browser_available():
        markers.add("browser")
    return markers


def pytest_collection_modifyitems(config, items):
    """Tests whose marker is out of this run (see deselected_markers) are deselected, never skipped."""
    markers = deselected_markers()
    if not markers:
        return
    selected, deselected = [], []
    for item in items:
        dropped = any(item.get_closest_marker(name) for name in markers)
        (deselected if dropped else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield


def clear_cache() -> None:
    """Empties this run's cache keys only (never FLUSHDB on a shared Redis), and this process's L1."""
    from django.core.cache import cache

    from apps.authentication.principal import copies
    from core.cache import reset_local

    reset_local()
    copies.clear()  # this process's verified principals (trusted while the broadcast is heard)

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


def access_token_for(user) -> str:
    """A real access token with a live session, as the login endpoint would issue it."""
    from apps.authentication.services.tokens import TokenService

    pair = TokenService().issue_for_new_session(user=user, ip_address=None, user_agent="", device="")
    return pair.access


# CONTRACT ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def openapi_contract(django_db_blocker):
    """The generated OpenAPI schema, as core.tests.contract checks responses against it."""
    from drf_spectacular.generators import SchemaGenerator

    from core.tests.contract import Contract

    with django_db_blocker.unblock():
        return Contract(SchemaGenerator(urlconf="config.urls").get_schema(request=None, public=True))


@pytest.fixture(autouse=True)
def _responses_match_the_schema(request, monkeypatch):
    """Every response a Django or DRF test client receives is checked against the schema: its status
    and media type are documented, its body is valid (formats enforced). `@pytest.mark.off_contract`
    exempts a test that breaks the server on purpose (patched serializers returning junk)."""
    if request.node.get_closest_marker("off_contract"):
        return
    from django.test.client import Client

    from core.tests.contract import response_body

    contract = request.getfixturevalue("openapi_contract")
    send = Client.request

    def checked(self, **kwargs):
        response = send(self, **kwargs)
        environ = response.wsgi_request.META if hasattr(response, "wsgi_request") else response.request
        contract.check(
            method=environ["REQUEST_METHOD"],
            path=environ["PATH_INFO"],
            query=environ.get("QUERY_STRING", ""),
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response_body(response),
        )
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def using_real_services() -> bool:
    return real_services_configured()


# TMDB DOUBLE ------------------------------------------------------------------
@pytest.fixture(scope="session")
def _tmdb_double_server():
    from testing.tmdb.double import TMDbDouble

    double = TMDbDouble().start()
    yield double
    double.stop()


@pytest.fixture
def tmdb_double(_tmdb_double_server, settings):
    """A local TMDb (real HTTP on 127.0.0.1) with an empty dataset; settings point the client at it.

    Seed with `tmdb_double.add_movie(...)`, program faults with `tmdb_double.fail(...)`, and assert
    upstream traffic with `tmdb_double.count(...)`.
    """
    from testing.tmdb.double import API_KEY

    _tmdb_double_server.reset()
    settings.TMDB_BASE_URL = _tmdb_double_server.base_url
    settings.TMDB_API_KEY = API_KEY
    settings.TMDB_READ_ACCESS_TOKEN = ""
    yield _tmdb_double_server
    _tmdb_double_server.reset()
