"""Every status real nginx produces by itself under /api/ carries the app's JSON envelope, never HTML."""

import json
import socket

import pytest

from . import harness

HOST = "localhost"
OVERSIZED = "a" * 20_000  # past large_client_header_buffers (4 buffers of 8k)


@pytest.fixture(scope="module")
def nginx_port(tmp_path_factory):
    """nginx alone, its upstream closed: every answer below is nginx's own."""
    tmp = tmp_path_factory.mktemp("nginx-errors")
    port = harness.free_port()
    conf = harness.render_nginx(
        tmp / "nginx", port=port, static_root=tmp / "static", upstreams=[f"127.0.0.1:{harness.free_port()}"]
    )
    log = tmp / "nginx.log"
    process = harness.start(harness.nginx_command(conf, "-g", "daemon off;"), env={}, log=log)
    try:
        harness.wait_for_port(port, process, timeout=15, log=log)
        yield port
    finally:
        harness.stop(process)


def raw_request(port: int, request: str) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as written (duplicate headers, odd methods) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


def request_text(
    method: str = "GET", path: str = "/api/v1/movies/", *headers: str, version="HTTP/1.1"
) -> str:
    lines = [f"{method} {path} {version}", f"Host: {HOST}", "Connection: close", *headers]
    return "\r\n".join(lines) + "\r\n\r\n"


CASES = {
    "duplicate Authorization": (
        request_text("GET", "/api/v1/favorites/", "Authorization: Bearer a", "Authorization: Bearer b"),
        400,
        "bad_request",
    ),
    "oversized header": (
        request_text("GET", "/api/v1/movies/", f"X-Padding: {OVERSIZED}"),
        400,
        "bad_request",
    ),
    "URI over 8 KB": (request_text("GET", "/api/v1/movies/?q=" + "a" * 9000), 414, "uri_too_long"),
    "TRACE": (request_text("TRACE"), 405, "method_not_allowed"),
    "CONNECT": (request_text("CONNECT"), 405, "method_not_allowed"),
    "unsupported Transfer-Encoding": (
        request_text("POST", "/api/v1/movies/", "Transfer-Encoding: gzip"),
        501,
        "not_implemented",
    ),
    "HTTP/3.0 over TCP": (request_text(version="HTTP/3.0"), 505, "http_version_not_supported"),
    "malformed request line": ("GARBAGE\r\n\r\n", 400, "bad_request"),
    "the error location itself": (request_text("GET", "/_nginx_error"), 404, "not_found"),
    "replicas down": (request_text("GET", "/api/v1/users/me/"), 503, "service_unavailable"),
}


@pytest.mark.parametrize("case", CASES)
def test_nginx_answers_in_the_json_envelope(nginx_port, case):
    # given
    request, status, code = CASES[case]
    # when
    got, headers, body = raw_request(nginx_port, request)
    # then
    assert (got, headers.get("content-type")) == (status, "application/json"), body[:300]
    envelope = json.loads(body)
    assert envelope["success"] is False
    assert envelope["data"] is None
    assert envelope["errors"]["code"] == code
    assert envelope["meta"] == {}
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
