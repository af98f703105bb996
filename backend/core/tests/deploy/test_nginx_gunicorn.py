"""Real nginx (this repository's config) in front of two web replicas sharing PostgreSQL and Redis.

The replicas run what the image runs, `docker/entrypoint.sh web`: every test runs against
granian (the deployment's server) and again against gunicorn (WEB_SERVER=gunicorn). The file
keeps its name from before granian became the default.
"""

import gzip
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import make_password

from apps.authentication.models import User
from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory

from . import harness
from .admin_client import AdminClient

# django_db makes pytest-django create the test database the replicas share.
pytestmark = [pytest.mark.services, pytest.mark.django_db]

HOST = "localhost"
ADMIN_EMAIL = "ops-admin@example.com"
ADMIN_PASSWORD = "a-long-admin-password-for-tests-42"


@dataclass
class Stack:
    server: str
    nginx_url: str
    replicas: list[str]
    logs: list[Path]
    static_root: Path
    movie_ids: list[int]

    def get(self, path: str, **headers: str) -> requests.Response:
        return requests.get(self.nginx_url + path, headers={"Host": HOST, **headers}, timeout=10)

    def direct(self, replica: int, path: str) -> requests.Response:
        return requests.get(self.replicas[replica] + path, headers={"Host": HOST}, timeout=10)


NAMESPACE_REUSE_SECONDS = 1.0  # the documented cross-process staleness bound of catalog responses


def _replica_env(
    *, server: str, port: int, static_root: Path, database_url: str, cache_prefix: str
) -> dict[str, str]:
    return harness.web_env(
        server=server,
        port=port,
        static_root=static_root,
        database_url=database_url,
        host=HOST,
        CACHE_KEY_PREFIX=cache_prefix,
        CACHE_NAMESPACE_L1_TTL=str(NAMESPACE_REUSE_SECONDS),
    )


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def stack(request, tmp_path_factory, django_db_setup, django_db_blocker):
    """Two replicas started by docker/entrypoint.sh web (migrate + collectstatic + the server), then nginx."""
    from django.db import connection

    server = request.param
    tmp = tmp_path_factory.mktemp(f"nginx-stack-{server}")
    static_root = tmp / "static"
    with django_db_blocker.unblock():
        movies = [
            MovieFactory(overview="A long enough overview to make the list compressible. " * 4)
            for _ in range(8)
        ]
        User.objects.create(
            email=ADMIN_EMAIL,
            password=make_password(ADMIN_PASSWORD, hasher="argon2"),
            is_staff=True,
            is_superuser=True,
        )
        database_url = harness.database_url(connection.settings_dict)
    cache_prefix = f"{os.environ.get('CACHE_KEY_PREFIX', 'mnx')}-nginx-{uuid.uuid4().hex[:8]}"
    ports = [harness.free_port(), harness.free_port()]
    envs = [
        _replica_env(
            server=server,
            port=port,
            static_root=static_root,
            database_url=database_url,
            cache_prefix=cache_prefix,
        )
        for port in ports
    ]
    try:
        with harness.replicas_behind_nginx(tmp, envs, ports=ports, host=HOST, static_root=static_root) as (
            replicas,
            nginx_url,
        ):
            yield Stack(
                server=server,
                nginx_url=nginx_url,
                replicas=replicas,
                logs=[tmp / f"web{index}.log" for index in range(len(ports))],
                static_root=static_root,
                movie_ids=[movie.tmdb_id for movie in movies],
            )
    finally:
        with django_db_blocker.unblock():
            Movie.objects.filter(tmdb_id__in=[movie.tmdb_id for movie in movies]).delete()
            User.objects.filter(email=ADMIN_EMAIL).delete()


def _access_log(log: Path) -> dict[str, dict]:
    """The server's JSON access log records (granian.access or gunicorn.access) by request id."""
    records = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '.access"' in line:
            record = json.loads(line)
            if record.get("logger") in {"granian.access", "gunicorn.access"}:
                records[record["request_id"]] = record
    return records


def _access_log_request_ids(log: Path) -> set[str]:
    return set(_access_log(log))


def test_requests_are_proxied_to_both_replicas_with_the_request_id(stack):
    # given
    request_ids = [f"deploy-test-{index}-{uuid.uuid4().hex[:6]}" for index in range(6)]
    # when
    responses = [stack.get("/health/ready", **{"X-Request-ID": rid}) for rid in request_ids]
    # then
    assert all(response.status_code == 200 for response in responses), [r.text for r in responses]
    assert [response.headers["X-Request-ID"] for response in responses] == request_ids
    assert all(
        response.json()["data"]["checks"]["database"]["backend"] == "postgresql" for response in responses
    )
    seen = _wait_for_request_ids(stack.logs, set(request_ids))
    assert all(seen), f"each replica served some requests: {seen}"
    assert set().union(*seen) == set(request_ids)


def _wait_for_request_ids(logs: list[Path], wanted: set[str], timeout: float = 5) -> list[set[str]]:
    """The wanted ids found in each replica's access log (the server logs just after answering)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = [_access_log_request_ids(log) & wanted for log in logs]
        if set().union(*seen) == wanted or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def test_the_app_gets_the_client_address_nginx_saw_not_a_spoofed_one(stack):
    # given
    request_id = f"spoof-{uuid.uuid4().hex[:8]}"
    # when
    stack.get(
        "/health/live", **{"X-Request-ID": request_id, "X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6"}
    )
    # then
    _wait_for_request_ids(stack.logs, {request_id})
    record = next(records[request_id] for records in map(_access_log, stack.logs) if request_id in records)
    assert record["logger"] == f"{stack.server}.access"
    assert record["forwarded_for"] == "127.0.0.1"
    assert record["remote_addr"] == "127.0.0.1"


def test_security_headers_are_set_once(stack):
    response = stack.get("/health/live")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers or "nginx/" not in response.headers["Server"]


def test_static_files_are_served_by_nginx(stack):
    # given: production Django does not serve /static/, so a 200 can only come from nginx
    assert stack.direct(0, "/static/admin/css/base.css").status_code == 404
    # when
    response = stack.get("/static/admin/css/base.css", **{"Accept-Encoding": "gzip"})
    # then
    assert response.status_code == 200
    assert response.content == (stack.static_root / "admin/css/base.css").read_bytes()
    assert response.headers["Content-Encoding"] == "gzip"
    assert "public" in response.headers["Cache-Control"]
    assert "Expires" in response.headers


def test_second_anonymous_catalog_get_is_served_from_nginx_cache(stack):
    # given
    path = f"/api/v1/movies/?page_size=20&nonce={uuid.uuid4().hex}"
    # when
    first = stack.get(path, **{"X-Request-ID": "first-request-0001"})
    second = stack.get(path, **{"X-Request-ID": "second-request-0002"})
    # then: nginx answers the second itself, saying so, with the second request's own id
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Proxy-Cache"] == "MISS"
    assert (first.headers["X-Cache"], first.headers["X-Request-ID"]) == ("MISS", "first-request-0001")
    assert second.headers["X-Proxy-Cache"] == "HIT"
    assert (second.headers["X-Cache"], second.headers["X-Cache-Level"]) == ("HIT", "nginx")
    assert second.headers["X-Request-ID"] == "second-request-0002"
    assert second.headers["Vary"].count("Accept-Encoding") <= 1
    assert second.json() == first.json()


def test_requests_with_authorization_bypass_the_cache(stack):
    path = f"/api/v1/movies/?nonce={uuid.uuid4().hex}"
    stack.get(path)
    response = stack.get(path, Authorization="Bearer not-a-real-token")
    assert response.headers["X-Proxy-Cache"] == "BYPASS"


def test_catalog_responses_are_gzipped(stack):
    response = requests.get(
        stack.nginx_url + "/api/v1/movies/?page_size=20",
        headers={"Host": HOST, "Accept-Encoding": "gzip"},
        timeout=10,
        stream=True,
    )
    raw = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["success"] is True


def test_auth_endpoints_are_rate_limited_with_a_json_429(stack):
    # when: a client hammers /api/v1/auth/ (faster than 1 request/s past a burst of 20). The
    # path has no view, so only nginx can throttle it, not the app's own auth throttles.
    statuses, throttled = [], None
    while throttled is None and len(statuses) < 200:
        response = requests.post(
            stack.nginx_url + "/api/v1/auth/nginx-rate-limit-probe/",
            headers={"Host": HOST, "Origin": "https://app.example.com"},
            json={},
            timeout=10,
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            throttled = response
    # then: the burst passes, then the limit bites
    assert throttled is not None, statuses
    assert statuses.index(429) >= 21, statuses
    body = throttled.json()
    assert body["success"] is False
    assert body["data"] is None
    assert body["errors"]["code"] == "throttled"
    assert body["meta"] == {}
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.headers["Content-Type"].startswith("application/json")
    # a browser frontend on another origin can read the throttle and its Retry-After
    assert throttled.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Retry-After" in throttled.headers["Access-Control-Expose-Headers"]


def test_bodies_over_the_limit_are_refused_with_a_json_413(stack):
    response = requests.post(
        stack.nginx_url + "/api/v1/movies/",
        headers={"Host": HOST, "Content-Type": "application/json"},
        data=b"x" * (3 * 1024 * 1024),
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["errors"]["code"] == "payload_too_large"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1"])
def test_unknown_hosts_get_no_answer(stack, host):
    connection = http.client.HTTPConnection(stack.nginx_url.removeprefix("http://"), timeout=5)
    try:
        connection.request("GET", "/api/v1/movies/", headers={"Host": host})
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            connection.getresponse()
    finally:
        connection.close()


def test_a_write_through_one_replica_is_read_through_the_other_within_the_bound(stack):
    # given: replica 1 has served (and may have cached) the movie
    tmdb_id = stack.movie_ids[0]
    movie_pk = Movie.objects.values_list("pk", flat=True).get(tmdb_id=tmdb_id)
    before = stack.direct(1, f"/api/v1/movies/{tmdb_id}/").json()["data"]["title"]
    new_title = f"Renamed {uuid.uuid4().hex[:8]}"
    admin = AdminClient(stack.replicas[0], host=HOST)
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    # when: staff rename it in the admin on replica 0
    saved = admin.change(f"/admin/movies/movie/{movie_pk}/change/", title=new_title)
    # then: replica 0 answers with the new title straight away, replica 1 within CACHE_NAMESPACE_L1_TTL
    assert saved.status_code == 302, saved.text[:2000]
    assert before != new_title
    saved_at = time.monotonic()
    assert stack.direct(0, f"/api/v1/movies/{tmdb_id}/").json()["data"]["title"] == new_title
    seen = None
    while seen != new_title and time.monotonic() - saved_at < NAMESPACE_REUSE_SECONDS + 1.0:
        seen = stack.direct(1, f"/api/v1/movies/{tmdb_id}/").json()["data"]["title"]
        time.sleep(0.05)
    assert seen == new_title


def test_the_image_healthcheck_passes_against_a_replica(stack):
    port = stack.replicas[0].rsplit(":", 1)[-1]
    env = {**os.environ, "ALLOWED_HOSTS": f"{HOST},127.0.0.1", "WEB_BIND": f"0.0.0.0:{port}"}
    result = subprocess.run(
        [sys.executable, str(harness.DOCKER_DIR / "healthcheck.py")],
        env=env,
        capture_output=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 0, result.stderr
