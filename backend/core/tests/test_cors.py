"""CORS preflights: local settings accept a frontend on any local port, production exactly its list."""

import json

import pytest

from .fresh_process import run_python
from .test_production_settings import GOOD

PREFLIGHT = """
import django, json, sys
django.setup()
from django.test import Client
client = Client()
allowed = {}
for origin in sys.argv[1:]:
    response = client.options(
        "/api/v1/movies/", HTTP_HOST="localhost", secure=True, HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    allowed[origin] = response.get("Access-Control-Allow-Origin") == origin
print(json.dumps(allowed))
"""


def preflight(origins: list[str], **env: str) -> dict[str, bool]:
    code = PREFLIGHT.replace("sys.argv[1:]", repr(origins))
    result = run_python(code, drop=("CORS_", "FRONTEND_URL"), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_local_settings_allow_any_local_port_and_nothing_else():
    # given local settings with no CORS variables set
    origins = [
        "http://localhost:3000",
        "http://localhost:5173",
        "http://127.0.0.1:3000",
        "http://127.0.0.1:8080",
        "http://localhost",
        "https://evil.example",
        "http://localhost.evil.example:3000",
        "http://127.0.0.1.evil.example",
    ]
    # when each one sends a preflight
    allowed = preflight(origins)
    # then the local ones pass and the look-alikes do not
    assert [origin for origin in origins if allowed[origin]] == origins[:5]


@pytest.mark.slow
def test_production_allows_exactly_cors_allowed_origins():
    # given production settings listing two origins
    env = {
        **GOOD,
        "ALLOWED_HOSTS": "localhost",
        "CORS_ALLOWED_ORIGINS": "https://app.example.com,https://www.example.com",
    }
    origins = [
        "https://app.example.com",
        "https://www.example.com",
        "http://localhost:3000",
        "http://127.0.0.1:5173",
    ]
    # when each one sends a preflight
    allowed = preflight(origins, **env)
    # then only the listed ones pass
    assert allowed == {origin: origin.endswith("example.com") for origin in origins}
