"""nginx/nginx.conf passes `nginx -t` with Debian's nginx and keeps the promises the docs make."""

import re
import subprocess

import pytest

from . import harness

NGINX = harness.NGINX_DIR
SERVERS = (NGINX / "templates" / "default.conf.template").read_text()


@pytest.fixture
def rendered(tmp_path):
    return harness.render_nginx(
        tmp_path / "nginx",
        port=harness.free_port(),
        static_root=tmp_path / "static",
        upstreams=["127.0.0.1:18001", "127.0.0.1:18002"],
    )


def nginx_t(conf) -> subprocess.CompletedProcess:
    return subprocess.run(
        harness.nginx_command(conf, "-t"), capture_output=True, text=True, timeout=30, check=False
    )


def location(pattern: str) -> str:
    """The body of the first location block whose header matches `pattern`."""
    match = re.search(r"location " + pattern + r" \{(.*?)\n    \}", SERVERS, re.DOTALL)
    assert match, f"no location {pattern}"
    return match.group(1)


def test_nginx_t_accepts_the_config(rendered):
    result = nginx_t(rendered)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_t_rejects_a_broken_config(rendered):
    # given: the same harness must be able to see a failure
    default = rendered.parent / "conf.d" / "default.conf"
    default.write_text(default.read_text().replace("proxy_cache catalog;", "proxy_cache no_such_zone;"))
    # when
    result = nginx_t(rendered)
    # then
    assert result.returncode != 0
    assert "no_such_zone" in result.stderr


def test_template_uses_only_the_documented_variables():
    assert set(harness.TEMPLATE_VARIABLE.findall(SERVERS)) == {
        "NGINX_PORT",
        "NGINX_SERVER_NAME",
        "NGINX_STATIC_ROOT",
        "NGINX_TRUST_FORWARDED_PROTO",
    }


def test_upstream_resolves_the_scaled_service_and_keeps_connections_alive():
    upstream = (NGINX / "conf.d" / "upstream.conf").read_text()
    assert re.search(r"server web:8000 resolve", upstream)
    assert re.search(r"resolver 127\.0\.0\.11", upstream)
    assert re.search(r"^\s*keepalive \d+;", upstream, re.MULTILINE)
    proxy = (NGINX / "snippets" / "proxy.conf").read_text()
    assert 'proxy_set_header Connection "";' in proxy


def test_unknown_hosts_are_dropped_by_the_default_server():
    default_server = SERVERS.split("\nserver {", 2)[1]
    assert "default_server" in default_server
    assert "return 444;" in default_server


def test_auth_is_rate_limited_and_never_compressed_or_cached():
    auth = location(r"/api/v1/auth/")
    assert "limit_req zone=auth" in auth
    assert "gzip off;" in auth
    assert "proxy_cache " not in auth


def test_catalog_cache_honours_authorization_and_serves_stale():
    catalog = location(r"~ \^/api/v1/\(movies\|genres\)/")
    assert "proxy_cache_bypass $http_authorization;" in catalog
    assert "proxy_no_cache $http_authorization;" in catalog
    assert "proxy_cache_lock on;" in catalog
    assert re.search(r"proxy_cache_use_stale error timeout updating", catalog)
    assert "proxy_ignore_headers" not in SERVERS, "the app's Cache-Control must be honoured"


def test_client_address_is_overwritten_not_appended():
    proxy = (NGINX / "snippets" / "proxy.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy
    assert "proxy_set_header X-Real-IP $remote_addr;" in proxy
    assert "$proxy_add_x_forwarded_for" not in proxy


def test_gzip_is_off_unless_a_location_turns_it_on():
    main = (NGINX / "nginx.conf").read_text()
    assert re.search(r"^\s*gzip off;", main, re.MULTILINE)
    for personal in (r"/api/", r"/admin/"):
        assert "gzip on;" not in location(personal)


def test_the_tmdb_compatible_api_is_proxied_rate_limited_and_never_cached_by_nginx():
    # every request's API key must reach the app (checked, counted, rate limited there)
    tmdb = location(r"/tmdb/")
    assert "include snippets/proxy.conf;" in tmdb
    assert "limit_req zone=api" in tmdb
    assert "proxy_cache" not in tmdb
