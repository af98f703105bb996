"""Fixtures of the TMDb-compatible API tests: an issued key, a caller, the double's own answers."""

from __future__ import annotations

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from apps.tmdbcompat.apikeys import ApiKeyService, admission
from testing.tmdb.catalog import seed_catalog

PREFIX = "/tmdb/3/"


@pytest.fixture(autouse=True)
def _fresh_admission():
    """Each test's keys live in its own database: this process forgets the keys it has seen."""
    admission.reset()
    yield
    admission.reset()


@pytest.fixture
def api_key(db) -> str:
    """A freshly issued key (the raw value, as a consumer holds it)."""
    _, raw = ApiKeyService.create(name="consumer")
    return raw


class Caller:
    """GETs a path of the TMDb-compatible API with a key, as a TMDb client would."""

    def __init__(self, key: str):
        self.key = key
        self.client = Client()

    def get(self, path: str, *, bearer: bool = False, key: str | None = None, **params):
        key = self.key if key is None else key
        if bearer:
            return self.client.get(PREFIX + path, params, HTTP_AUTHORIZATION=f"Bearer {key}")
        return self.client.get(PREFIX + path, {"api_key": key, **params} if key else params)


@pytest.fixture
def tmdb3(api_key) -> Caller:
    return Caller(api_key)


@pytest.fixture
def upstream(tmdb_double):
    """The double's own answer to a TMDb request: (status, body)."""

    def get(path: str, **params):
        response = requests.get(
            f"{tmdb_double.base_url}/{path}", params={"api_key": tmdb_double.api_key, **params}, timeout=5
        )
        return response.status_code, response.json()

    return get


@pytest.fixture
def seeded(tmdb_double, settings):
    """The double with a 60-movie catalog shaped like TMDb's, and a changes feed."""
    settings.SYNC_PARALLEL_WRITES = False  # the test's transaction is invisible to other threads
    catalog = seed_catalog(tmdb_double, movies=60)
    tmdb_double.set_list("changes", catalog.popular(30))
    return catalog


@pytest.fixture
def synced(seeded, db):
    """A full sync into the mirror: genres, then every movie of three popular pages in full."""
    call_command("sync_genres", stdout=_null(), stderr=_null())
    call_command("sync_movies", "--list", "popular", "--pages", "3", stdout=_null(), stderr=_null())
    return seeded


def _null():
    from io import StringIO

    return StringIO()
