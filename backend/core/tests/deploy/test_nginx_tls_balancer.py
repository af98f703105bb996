"""Real nginx and a production replica with SECURE_SSL_REDIRECT=true behind a TLS load balancer.

The balancer ends TLS and talks plain http to nginx, saying `X-Forwarded-Proto: https`. With
NGINX_TRUST_FORWARDED_PROTO=on nginx passes that on (the app serves and sends HSTS); left off,
nginx tells the app its own scheme, so a client talking to nginx directly cannot claim https.
"""

import os
import uuid
from dataclasses import dataclass

import pytest
import requests

from . import harness

# django_db makes pytest-django create the test database the replica uses.
pytestmark = [pytest.mark.services, pytest.mark.django_db]

HOST = "localhost"


@dataclass
class Balanced:
    trusting: str  # nginx with NGINX_TRUST_FORWARDED_PROTO=on
    direct: str  # the same config left at off

    @staticmethod
    def get(base: str, path: str, proto: str) -> requests.Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": proto}
        return requests.get(base + path, headers=headers, timeout=10, allow_redirects=False)


@pytest.fixture(scope="module")
def balanced(tmp_path_factory, django_db_setup, django_db_blocker):
    from django.db import connection

    tmp = tmp_path_factory.mktemp("nginx-tls-balancer")
    with django_db_blocker.unblock():
        database_url = harness.database_url(connection.settings_dict)
    port = harness.free_port()
    env = harness.web_env(
        server="granian",
        port=port,
        static_root=tmp / "static",
        database_url=database_url,
        host=HOST,
        SECURE_SSL_REDIRECT="true",
        CACHE_KEY_PREFIX=f"{os.environ.get('CACHE_KEY_PREFIX', 'mnx')}-tls-{uuid.uuid4().hex[:8]}",
    )
    log = tmp / "web.log"
    processes = [harness.start(["bash", str(harness.DOCKER_DIR / "entrypoint.sh"), "web"], env=env, log=log)]
    try:
        harness.wait_for_port(port, processes[0], timeout=90, log=log)
        urls = []
        for trust in (True, False):
            nginx_port = harness.free_port()
            conf = harness.render_nginx(
                tmp / f"nginx-{trust}",
                port=nginx_port,
                static_root=tmp / "static",
                upstreams=[f"127.0.0.1:{port}"],
                server_name=HOST,
                trust_forwarded_proto=trust,
            )
            nginx_log = tmp / f"nginx-{trust}.log"
            processes.append(
                harness.start(harness.nginx_command(conf, "-g", "daemon off;"), env={}, log=nginx_log)
            )
            harness.wait_for_port(nginx_port, processes[-1], timeout=15, log=nginx_log)
            urls.append(f"http://127.0.0.1:{nginx_port}")
        yield Balanced(*urls)
    finally:
        for process in reversed(processes):
            harness.stop(process)


@pytest.mark.parametrize("path", ["/api/v1/genres/", "/api/v1/users/me/", "/api/docs/"])
def test_https_from_the_balancer_is_served_with_hsts(balanced, path):
    # when
    response = balanced.get(balanced.trusting, path, "https")
    # then: no redirect loop; the app answers and tells browsers to stay on https
    assert response.status_code in {200, 401}, (response.status_code, response.headers.get("Location"))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_from_the_balancer_is_redirected_once(balanced):
    # given: an https request filled nginx's cache for the same URL
    assert balanced.get(balanced.trusting, "/api/v1/movies/", "https").status_code == 200
    # when
    response = balanced.get(balanced.trusting, "/api/v1/movies/", "http")
    # then
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_a_client_cannot_claim_https_when_nginx_is_not_behind_a_balancer(balanced):
    # when
    response = balanced.get(balanced.direct, "/api/v1/genres/", "https")
    # then
    assert response.status_code == 301
    assert "Strict-Transport-Security" not in response.headers
