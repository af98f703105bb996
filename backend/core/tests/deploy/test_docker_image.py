"""The image's files: a multi-stage non-root Dockerfile, the role entrypoint, bootstrap, granian and gunicorn settings."""

import io
import json
import logging
import os
import re
import runpy
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

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


def test_an_unknown_web_server_is_refused_before_the_database_is_touched(tmp_path):
    # given: nothing listens on this port, so a bootstrap would wait and then fail differently
    url = f"postgres://postgres@127.0.0.1:{harness.free_port()}/nowhere"
    # when
    result = run_entrypoint("web", tmp_path=tmp_path, WEB_SERVER="uwsgi", DATABASE_URL=url)
    # then
    assert result.returncode == 2
    assert "WEB_SERVER must be granian or gunicorn, not 'uwsgi'" in result.stderr
    assert "database" not in result.stderr + result.stdout


def test_bootstrap_gives_up_when_the_database_never_answers(tmp_path):
    # given: nothing listens on this port
    url = f"postgres://postgres@127.0.0.1:{harness.free_port()}/nowhere"
    # when
    result = run_entrypoint("manage", "check", tmp_path=tmp_path, DATABASE_URL=url, DB_WAIT_TIMEOUT="1")
    # then
    assert result.returncode != 0
    assert "database not reachable after 1s" in result.stderr


def nginx_upstream_idle_seconds() -> int:
    upstream = (harness.NGINX_DIR / "conf.d" / "upstream.conf").read_text()
    return int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))


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
    nginx_idle = nginx_upstream_idle_seconds()
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


# GRANIAN (the `web` role's default server) -----------------------------------------
WEB_VARIABLES = {"WEB_SERVER", "WEB_BIND", "WEB_WORKERS", "WEB_THREADS", "GUNICORN_BIND"}


def load_granian_web(monkeypatch, **env: str) -> dict:
    for name in list(os.environ):
        if name.startswith("GRANIAN_") or name in WEB_VARIABLES:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(harness.DOCKER_DIR / "granian_web.py"))


def test_granian_runs_the_django_wsgi_app_with_recycling_and_a_graceful_stop(monkeypatch):
    module = load_granian_web(monkeypatch)
    settings = module["settings"]()
    assert module["command"](["--log-level", "debug"]) == [
        sys.executable, "-m", "granian", "--log-level", "debug", "config.wsgi:application"
    ]  # fmt: skip
    assert settings["GRANIAN_INTERFACE"] == "wsgi"
    assert (settings["GRANIAN_HOST"], settings["GRANIAN_PORT"]) == ("0.0.0.0", "8000")  # noqa: S104
    assert settings["GRANIAN_WORKERS"] == str(module["default_workers"]())
    assert 1 <= int(settings["GRANIAN_WORKERS"]) <= 8
    assert settings["GRANIAN_BLOCKING_THREADS"] == "4"
    assert settings["GRANIAN_RESPAWN_FAILED_WORKERS"] == "true"
    assert settings["GRANIAN_WORKERS_MAX_RSS"] == "512"
    assert settings["GRANIAN_WORKERS_LIFETIME"] == "6h"
    assert settings["GRANIAN_WORKERS_KILL_TIMEOUT"] == "30"
    assert settings["GRANIAN_LOG_ACCESS_ENABLED"] == "true"
    assert json.loads((harness.DOCKER_DIR / "granian-logging.json").read_text())["loggers"]["granian.access"]
    assert settings["GRANIAN_LOG_CONFIG"] == str(harness.DOCKER_DIR / "granian-logging.json")


def test_granian_keeps_connections_longer_than_nginx_reuses_them(monkeypatch):
    # given: nginx's idle timeout for upstream connections
    nginx_idle = nginx_upstream_idle_seconds()
    # when: granian's idle limit (it closes a connection that sends no request headers this long)
    header_read_ms = int(load_granian_web(monkeypatch)["settings"]()["GRANIAN_HTTP1_HEADER_READ_TIMEOUT"])
    # then: granian never closes a connection nginx is about to reuse, within granian's range
    assert header_read_ms / 1000 > nginx_idle
    assert header_read_ms <= 60_000


def test_web_variables_configure_granian_and_its_own_variables_win(monkeypatch):
    settings = load_granian_web(
        monkeypatch, WEB_BIND="127.0.0.1:9001", WEB_WORKERS="5", WEB_THREADS="6", GRANIAN_BLOCKING_THREADS="8"
    )["settings"]()
    assert (settings["GRANIAN_HOST"], settings["GRANIAN_PORT"]) == ("127.0.0.1", "9001")
    assert settings["GRANIAN_WORKERS"] == "5"
    assert settings["GRANIAN_BLOCKING_THREADS"] == "8"


def test_gunicorn_bind_is_still_read_as_the_old_name_of_web_bind(monkeypatch):
    settings = load_granian_web(monkeypatch, GUNICORN_BIND="10.0.0.7:7000")["settings"]()
    assert (settings["GRANIAN_HOST"], settings["GRANIAN_PORT"]) == ("10.0.0.7", "7000")


@pytest.fixture
def granian_access_log(monkeypatch):
    """granian's own access logger, writing through the deployment's formatter into a buffer."""
    from granian.log import access_logger

    from core.logging import AccessLogJSONFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessLogJSONFormatter())
    monkeypatch.setattr(access_logger, "handlers", [handler])
    monkeypatch.setattr(access_logger, "propagate", False)
    level = access_logger.level
    access_logger.setLevel(logging.INFO)
    yield stream
    access_logger.setLevel(level)


def granian_request(**headers: str) -> dict:
    """What granian's WSGI access logger passes for one request (granian.wsgi._build_access_logger)."""
    return {
        "addr_remote": "10.0.0.5",
        "protocol": "HTTP/1.1",
        "path": "/api/v1/movies/",
        "qs": "page=2",
        "method": "GET",
        "scheme": "http",
        "headers": {name.lower().replace("_", "-"): value for name, value in headers.items()}.get,
    }


def test_granian_access_log_is_one_json_object_with_the_request_id(monkeypatch, granian_access_log):
    # given: granian's access-log builder with the deployment's format
    from granian.log import log_request_builder

    log_request = log_request_builder(load_granian_web(monkeypatch)["ACCESS_LOG_FMT"])
    request = granian_request(
        X_Request_ID="rid-123",
        X_Real_IP="203.0.113.9",
        X_Forwarded_For="203.0.113.9",
        User_Agent='say "hi" \\o/',
    )
    # when
    log_request(time.time(), time.perf_counter() - 0.012, request, 200)
    # then
    record = json.loads(granian_access_log.getvalue())
    assert record["logger"] == "granian.access"
    assert record["request_id"] == "rid-123"
    assert record["remote_addr"] == record["forwarded_for"] == "203.0.113.9"
    assert record["peer"] == "10.0.0.5"
    assert (record["method"], record["path"], record["query"]) == ("GET", "/api/v1/movies/", "page=2")
    assert record["status"] == 200
    assert record["duration_ms"] >= 12
    assert record["user_agent"] == 'say "hi" \\o/'
    assert record["pid"] == os.getpid()


def test_granian_access_log_marks_missing_headers_and_keeps_a_text_format(monkeypatch, granian_access_log):
    from granian.log import log_request_builder

    log_request_builder(load_granian_web(monkeypatch)["ACCESS_LOG_FMT"])(
        time.time(), time.perf_counter(), granian_request(), 404
    )
    log_request_builder("%(method)s %(path)s %(status)d %(header{x-request-id})s")(
        time.time(), time.perf_counter(), granian_request(X_Request_ID="rid-9"), 201
    )
    json_line, text_line = granian_access_log.getvalue().splitlines()
    assert json.loads(json_line)["request_id"] == "-"
    assert json.loads(json_line)["status"] == 404
    assert text_line == "GET /api/v1/movies/ 201 rid-9"


# THE WEB ROLE, STARTED ----------------------------------------------------------------
WORKER_STARTED = {"granian": "Started worker-", "gunicorn": "Booting worker with pid"}


def start_web(tmp_path, server: str, **env: str) -> tuple[subprocess.Popen, str, Path]:
    """`entrypoint.sh web` with the given server on a free port (SQLite; no migrations needed)."""
    port = harness.free_port()
    log = tmp_path / f"{server}.log"
    process = harness.start(
        ["bash", str(ENTRYPOINT), "web"],
        env=entrypoint_env(
            tmp_path,
            WEB_SERVER=server,
            WEB_BIND=f"127.0.0.1:{port}",
            ALLOWED_HOSTS="localhost,127.0.0.1",
            MIGRATE_ON_START="false",
            COLLECTSTATIC_ON_START="false",
            **env,
        ),
        log=log,
    )
    harness.wait_for_port(port, process, timeout=60, log=log)
    # Every worker up: the kernel only spreads connections over the sockets already listening.
    workers, deadline = int(env.get("WEB_WORKERS", "1")), time.monotonic() + 60
    while log.read_text(errors="replace").count(WORKER_STARTED[server]) < workers:
        assert time.monotonic() < deadline and process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}", log


def access_records(log, timeout: float = 5, *, until=lambda records: bool(records)) -> list[dict]:
    """The JSON access-log records in the server's output, once `until` holds (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        records = [
            json.loads(line)
            for line in log.read_text(errors="replace").splitlines()
            if line.startswith("{") and '.access"' in line
        ]
        if until(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_the_web_role_serves_logs_the_request_id_and_stops_gracefully(tmp_path, server):
    # given
    process, base, log = start_web(tmp_path, server, WEB_WORKERS="1", WEB_THREADS="2")
    try:
        request_id = f"{server}-{uuid.uuid4().hex[:8]}"
        # when
        response = requests.get(f"{base}/health/live", headers={"X-Request-ID": request_id}, timeout=10)
        health = subprocess.run(
            [sys.executable, str(harness.DOCKER_DIR / "healthcheck.py")],
            env={**os.environ, "WEB_BIND": f"0.0.0.0:{base.rsplit(':', 1)[1]}", "ALLOWED_HOSTS": "localhost"},
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        records = access_records(log, until=lambda found: any(r["request_id"] == request_id for r in found))
        # then
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == request_id
        assert health.returncode == 0, health.stderr
        record = next(r for r in records if r["request_id"] == request_id)
        assert record["logger"] == f"{server}.access"
        assert (record["path"], record["status"]) == ("/health/live", 200)
        # and when Docker stops the container (SIGTERM to the server, PID 1's child), it exits cleanly
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    finally:
        harness.stop(process)


def test_granian_workers_share_prometheus_metrics_and_a_run_starts_with_none(tmp_path):
    # given: a metrics directory holding a file from a previous run
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    left_over = metrics_dir / "counter_999999.db"
    left_over.write_bytes(b"from the previous run")
    token = uuid.uuid4().hex
    process, base, log = start_web(
        tmp_path, "granian", WEB_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), METRICS_TOKEN=token
    )
    try:
        # when: 24 requests, each on a new connection, which the kernel spreads over both workers
        statuses = [requests.get(f"{base}/health/live", timeout=10).status_code for _ in range(24)]
        served_by = {
            record["pid"]
            for record in access_records(log, until=lambda found: len(found) >= 24)
            if record["path"] == "/health/live"
        }
        metrics = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    finally:
        harness.stop(process)
    # then: one scrape counts the requests of both workers
    assert statuses == [200] * 24
    assert len(served_by) == 2, served_by
    assert metrics.status_code == 200, metrics.text
    assert (
        'movie_nexus_http_requests_total{method="GET",route="/health/live/?",status="200"} 24.0'
        in metrics.text
    )
    assert not left_over.exists()
