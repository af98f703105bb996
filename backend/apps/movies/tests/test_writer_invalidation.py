"""From the writer's side: after each path that writes the catalog, the cached anonymous detail and
list answers of TWO server processes show the change within the documented bound.

Two replicas (the deployment's entrypoint and web server, production settings) share this test
database, Redis and the TMDb double. Each test warms both replicas' caches (second GET is a HIT),
runs one writer — web resync, `sync_movie`, `sync_changes` (title change, movie gone),
`sync_genres` (rename), `refresh_stale`, a list read that writes into a stored row, admin actions —
and then polls both replicas until they answer with the change.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from apps.movies.models import Movie
from apps.movies.services import MovieService
from core.tests.deploy import harness

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BOUND = 1.0  # CACHE_NAMESPACE_L1_TTL: how long another process may serve a bumped namespace
SLACK = 2.0
HOST = "localhost"
MOVIE = 4101
OTHER = 4102


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, django_db_setup, django_db_blocker, _tmdb_double_server):
    from django.conf import settings
    from django.db import connection

    from testing.tmdb.double import API_KEY

    tmp = tmp_path_factory.mktemp("writer-replicas")
    with django_db_blocker.unblock():
        database_url = harness.database_url(connection.settings_dict)
    ports = [harness.free_port(), harness.free_port()]
    processes = []
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(harness.TEST_SECRETS)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        CACHE_NAMESPACE_L1_TTL=str(BOUND),
        STATIC_ROOT=str(tmp / "static"),
        WEB_WORKERS="1",
        WEB_THREADS="2",
        DB_WAIT_TIMEOUT="10",
        TMDB_BASE_URL=_tmdb_double_server.base_url,
        TMDB_API_KEY=API_KEY,
        TMDB_READ_ACCESS_TOKEN="",
        TMDB_FAILURE_COOLDOWN="0",
        PYTHON=sys.executable,
        PATH=f"{harness.venv_bin()}:{os.environ.get('PATH', '')}",
    )
    try:
        for index, port in enumerate(ports):
            log = tmp / f"web{index}.log"
            processes.append(
                harness.start(
                    ["bash", str(harness.DOCKER_DIR / "entrypoint.sh"), "web"],
                    env={**env, "WEB_BIND": f"127.0.0.1:{port}"},
                    log=log,
                )
            )
            harness.wait_for_port(port, processes[-1], timeout=90, log=log)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            harness.stop(process)


@pytest.fixture
def catalog(tmdb_double):
    """Two movies on TMDb (genre Drama first), both stored in full, and a popular list of both."""
    tmdb_double.add_movie(MOVIE, title="Original title", popularity=90.0, genre_ids=[18, 53])
    tmdb_double.add_movie(OTHER, title="Other movie", popularity=80.0, genre_ids=[35])
    tmdb_double.set_list("popular", [MOVIE, OTHER])
    service = MovieService()
    service.sync_movie_from_tmdb(tmdb_id=MOVIE)
    service.sync_movie_from_tmdb(tmdb_id=OTHER)
    return tmdb_double


def _get(base: str, path: str) -> requests.Response:
    return requests.get(base + path, headers={"Host": HOST}, timeout=10)


def _warm(replicas: list[str], *paths: str) -> None:
    """Each answer cached on each replica: the second GET is a HIT."""
    for base in replicas:
        for path in paths:
            _get(base, path)
            assert _get(base, path).headers["X-Cache"].startswith("HIT"), (base, path)


def _eventually(replicas: list[str], path: str, check) -> None:
    """Both replicas answer `path` so that `check(response)` holds, within the bound."""
    written = time.monotonic()
    for base in replicas:
        while True:
            response = _get(base, path)
            if check(response):
                break
            assert time.monotonic() - written < BOUND + SLACK, (
                base,
                path,
                response.status_code,
                response.text[:300],
            )
            time.sleep(0.05)


def _title(expected: str):
    return lambda response: response.status_code == 200 and response.json()["data"]["title"] == expected


def _titles_include(expected: str):
    return lambda response: expected in [item["title"] for item in response.json()["data"]]


DETAIL = f"/api/v1/movies/{MOVIE}/"
LOCAL_LIST = "/api/v1/movies/?ordering=-popularity"


def test_web_resync(replicas, catalog):
    _warm(replicas, DETAIL, LOCAL_LIST)
    catalog.add_movie(MOVIE, title="Resynced title", popularity=90.0, genre_ids=[18, 53])
    MovieService().sync_movie_from_tmdb(tmdb_id=MOVIE)
    _eventually(replicas, DETAIL, _title("Resynced title"))
    _eventually(replicas, LOCAL_LIST, _titles_include("Resynced title"))


def test_sync_movie_command(replicas, catalog):
    _warm(replicas, DETAIL, LOCAL_LIST)
    catalog.add_movie(MOVIE, title="Synced by the command", popularity=90.0, genre_ids=[18, 53])
    call_command("sync_movie", str(MOVIE), stdout=StringIO(), stderr=StringIO())
    _eventually(replicas, DETAIL, _title("Synced by the command"))
    _eventually(replicas, LOCAL_LIST, _titles_include("Synced by the command"))


def test_sync_changes_title_change_and_gone(replicas, catalog):
    _warm(replicas, DETAIL, f"/api/v1/movies/{OTHER}/", LOCAL_LIST)
    catalog.add_movie(MOVIE, title="Changed upstream", popularity=90.0, genre_ids=[18, 53])
    catalog.movies.pop(OTHER)
    catalog.set_list("changes", [MOVIE, OTHER])
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    call_command("sync_changes", "--since", since, stdout=StringIO(), stderr=StringIO())
    _eventually(replicas, DETAIL, _title("Changed upstream"))
    _eventually(replicas, f"/api/v1/movies/{OTHER}/", lambda response: response.status_code == 404)
    _eventually(replicas, LOCAL_LIST, lambda r: [i["id"] for i in r.json()["data"]] == [MOVIE])


def test_sync_genres_rename(replicas, catalog, monkeypatch):
    _warm(replicas, DETAIL, LOCAL_LIST)
    from testing.tmdb import payloads

    monkeypatch.setitem(payloads.GENRES, 18, "Dramatic Film")
    call_command("sync_genres", stdout=StringIO(), stderr=StringIO())
    _eventually(replicas, DETAIL, lambda r: r.json()["data"]["genres"][0]["name"] == "Dramatic Film")
    _eventually(replicas, LOCAL_LIST, lambda r: r.json()["data"][0]["genres"][0]["name"] == "Dramatic Film")


def test_refresh_stale(replicas, catalog):
    _warm(replicas, DETAIL, LOCAL_LIST)
    Movie.objects.filter(tmdb_id=MOVIE).update(last_synced_at=timezone.now() - timedelta(days=30))
    catalog.add_movie(MOVIE, title="Refreshed when stale", popularity=90.0, genre_ids=[18, 53])
    call_command("refresh_stale", stdout=StringIO(), stderr=StringIO())
    _eventually(replicas, DETAIL, _title("Refreshed when stale"))
    _eventually(replicas, LOCAL_LIST, _titles_include("Refreshed when stale"))


def test_a_list_read_that_writes_into_a_stored_row(replicas, catalog):
    # given both replicas cache the detail; TMDb's search now carries a new title for the movie
    _warm(replicas, DETAIL)
    catalog.add_movie(MOVIE, title="Retitled upstream", popularity=90.0, genre_ids=[18, 53])
    # when a search on replica 0 stores the new values into the row
    search = _get(replicas[0], "/api/v1/movies/search/?q=Retitled")
    assert search.status_code == 200, search.text[:300]
    # then the movie's detail changes on both replicas
    _eventually(replicas, DETAIL, _title("Retitled upstream"))


def test_admin_mark_inactive_and_restore(replicas, catalog, admin_client):
    _warm(replicas, DETAIL, LOCAL_LIST)
    pk = Movie.objects.get(tmdb_id=MOVIE).pk
    changelist = "/admin/movies/movie/"
    admin_client.post(changelist, {"action": "mark_inactive", "_selected_action": [pk]})
    _eventually(replicas, DETAIL, lambda response: response.status_code == 404)
    _eventually(replicas, LOCAL_LIST, lambda r: MOVIE not in [i["id"] for i in r.json()["data"]])
    admin_client.post(changelist, {"action": "restore", "_selected_action": [pk]})
    _eventually(replicas, DETAIL, _title("Original title"))
