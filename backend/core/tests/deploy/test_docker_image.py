"""The image's files: a multi-stage non-root Dockerfile, the role entrypoint, bootstrap and gunicorn settings."""

import json
import os
import re
import runpy
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest

from . import harness

DOCKERFILE = (harness.DOCKER_DIR / "Dockerfile").read_text()
ENTRYPOINT = harness.DOCKER_DIR / "entrypoint.sh"


def entrypoint_env(tmp_path, **env: str) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    base.pop("DATABASE_URL", None)
    base.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        SQLITE_PATH=str(tmp_path / "entrypoint.sqlite3"),
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHON=sys.executable,
        DB_WAIT_TIMEOUT="3",
    )
    base.update(env)
    return base


def start_entrypoint(*args: str, tmp_path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [shutil.which("bash"), str(ENTRYPOINT), *args],
        env=entrypoint_env(tmp_path, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_entrypoint(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    process = start_entrypoint(*args, tmp_path=tmp_path, **env)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_dockerfile_builds_wheels_then_a_slim_non_root_runtime():
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", DOCKERFILE, re.MULTILINE)
    assert [name for _, name in stages] == ["build", "runtime"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", DOCKERFILE, re.MULTILINE)
    assert "pip wheel --wheel-dir /wheels" in DOCKERFILE
    assert "COPY --from=build /wheels /wheels" in DOCKERFILE
    assert re.search(r"^USER app$", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*healthcheck\.py", DOCKERFILE, re.MULTILINE)
    assert "/health/live" in (harness.DOCKER_DIR / "healthcheck.py").read_text()
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in DOCKERFILE


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (harness.ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "db.sqlite3*"} <= set(ignored)


def test_containers_starting_together_migrate_once_then_run_their_command(tmp_path):
    # given: two containers (say worker and beat) start at the same moment on one database
    processes = [start_entrypoint("manage", "showmigrations", "movies", tmp_path=tmp_path) for _ in range(2)]
    # when
    results = [process.communicate(timeout=120) for process in processes]
    # then: the lock serialises the migrations, so neither trips over the other
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
        assert "[X] 0001_initial" in stdout
    tables = (
        sqlite3.connect(tmp_path / "entrypoint.sqlite3")
        .execute("SELECT name FROM sqlite_master WHERE name = 'movies_movie'")
        .fetchall()
    )
    assert tables == [("movies_movie",)]


def test_manage_role_can_skip_migrations(tmp_path):
    result = run_entrypoint("manage", "showmigrations", "movies", tmp_path=tmp_path, MIGRATE_ON_START="false")
    assert result.returncode == 0, result.stderr
    assert "[ ] 0001_initial" in result.stdout


@pytest.mark.parametrize("args", [("nonsense",), (), ("manage",)])
def test_unknown_role_prints_usage_and_exits_2(tmp_path, args):
    result = run_entrypoint(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "entrypoint.sh web" in result.stderr


def test_bootstrap_gives_up_when_the_database_never_answers(tmp_path):
    # given: nothing listens on this port
    url = f"postgres://postgres@127.0.0.1:{harness.free_port()}/nowhere"
    # when
    result = run_entrypoint("manage", "check", tmp_path=tmp_path, DATABASE_URL=url, DB_WAIT_TIMEOUT="1")
    # then
    assert result.returncode != 0
    assert "database not reachable after 1s" in result.stderr


def load_gunicorn_config(monkeypatch, **env: str) -> dict:
    for name in ("GUNICORN_WORKERS", "GUNICORN_KEEPALIVE", "GUNICORN_TIMEOUT", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(harness.DOCKER_DIR / "gunicorn.conf.py"))


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    config = load_gunicorn_config(monkeypatch, GUNICORN_WORKERS="7", GUNICORN_TIMEOUT="45")
    assert config["workers"] == 7
    assert config["timeout"] == 45
    assert config["worker_class"] == "gthread"
    assert config["wsgi_app"] == "config.wsgi:application"
    assert config["control_socket_disable"] is True


def test_gunicorn_keeps_connections_longer_than_nginx_reuses_them(monkeypatch):
    # given: nginx's idle timeout for upstream connections
    upstream = (harness.NGINX_DIR / "conf.d" / "upstream.conf").read_text()
    nginx_idle = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    # then: gunicorn never closes a connection nginx is about to reuse
    assert load_gunicorn_config(monkeypatch)["keepalive"] > nginx_idle


def test_gunicorn_access_log_is_one_json_object_with_the_request_id(monkeypatch, capsys):
    # given
    from gunicorn.config import Config

    logger_class = load_gunicorn_config(monkeypatch)["JSONAccessLogger"]
    config = Config()
    config.set("accesslog", "-")
    access_logger = logger_class(config)
    response = SimpleNamespace(status="200 OK", sent=42, headers=[("X-Request-ID", "rid-123")])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/movies/?page=2",
        "PATH_INFO": "/api/v1/movies/",
        "QUERY_STRING": "page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
    }
    request = SimpleNamespace(headers=[("X-REAL-IP", "203.0.113.9")])
    # when
    access_logger.access(response, request, environ, timedelta(milliseconds=12))
    # then
    lines = capsys.readouterr().out.strip().splitlines()
    record = json.loads(lines[-1])
    assert record["request_id"] == "rid-123"
    assert record["status"] == 200
    assert record["path"] == "/api/v1/movies/"
    assert record["remote_addr"] == "203.0.113.9"
    assert record["duration_ms"] == 12
