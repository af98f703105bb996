"""docker-compose.yml is valid for Docker Compose v2 and wires the stack the way the docs say."""

import json
import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import compose
import pytest

from . import harness

COMPOSE_BINARY = Path(compose.__file__).parent / "docker-compose"
ENV = {"POSTGRES_PASSWORD": "a-test-password"}


def compose_config(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    clean.pop("CELERY_BROKER_URL", None)
    clean.pop("POSTGRES_PASSWORD", None)
    return subprocess.run(
        [
            str(COMPOSE_BINARY),
            "--project-directory",
            str(harness.ROOT),
            "-f",
            str(harness.COMPOSE_FILE),
            "config",
            *args,
        ],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config("--format", "json", env=ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_validates_quietly():
    result = compose_config("--quiet", env=ENV)
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr.lower(), result.stderr


def test_compose_refuses_to_run_without_a_database_password():
    result = compose_config("--quiet")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_the_stack_has_every_service_with_a_healthcheck(config):
    services = config["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "nginx"}
    assert all(service.get("healthcheck", {}).get("test") for service in services.values())


def test_web_publishes_no_host_port_so_it_scales(config):
    web = config["services"]["web"]
    assert "ports" not in web
    assert "container_name" not in web
    assert config["services"]["nginx"]["ports"][0]["target"] == 80
    assert config["services"]["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("role", ["web", "worker", "beat"])
def test_app_roles_share_one_image_and_the_proxy_settings(config, role):
    service = config["services"][role]
    assert service["command"] == [role]
    assert service["build"]["dockerfile"] == "docker/Dockerfile"
    assert service["environment"]["NUM_PROXIES"] == "1"
    assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/movie_nexus")
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_settings_in_dot_env_reach_every_app_container(tmp_path):
    # given: a project directory with a .env, as an operator would have
    shutil.copy(harness.COMPOSE_FILE, tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=from-dot-env\nTMDB_API_KEY=key-from-dot-env\n")
    # when
    result = subprocess.run(
        [str(COMPOSE_BINARY), "--project-directory", str(tmp_path), "config", "--format", "json"],
        env={key: value for key, value in os.environ.items() if not key.endswith("_URL")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for role in ("web", "worker", "beat"):
        environment = services[role]["environment"]
        assert environment["TMDB_API_KEY"] == "key-from-dot-env"
        assert ":from-dot-env@postgres:5432/" in environment["DATABASE_URL"]


def test_data_lives_in_named_volumes(config):
    assert set(config["volumes"]) >= {"postgres-data", "redis-data", "static", "nginx-cache", "beat-data"}
    web_mounts = {mount["target"]: mount for mount in config["services"]["web"]["volumes"]}
    nginx_mounts = {mount["target"]: mount for mount in config["services"]["nginx"]["volumes"]}
    assert web_mounts["/app/staticfiles"]["source"] == "static"
    assert nginx_mounts["/srv/static"]["source"] == "static"
    assert nginx_mounts["/srv/static"]["read_only"] is True
    assert config["services"]["nginx"]["environment"]["NGINX_STATIC_ROOT"] == "/srv/static"


def test_nginx_mounts_exist_in_the_repository(config):
    for mount in config["services"]["nginx"]["volumes"]:
        if mount["type"] == "bind":
            assert Path(mount["source"]).exists(), mount["source"]


def test_web_runs_granian_with_shared_metrics_and_worker_recycling_that_drops_no_connection(config):
    web = config["services"]["web"]
    assert web["command"] == ["web"]
    assert web["environment"]["WEB_SERVER"] == "granian"
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert web["sysctls"]["net.ipv4.tcp_migrate_req"] == "1"


def test_docker_lets_the_web_server_finish_its_requests_before_killing_it(config, monkeypatch):
    # given: how long each server waits for in-flight requests after SIGTERM (their defaults)
    monkeypatch.delenv("GRANIAN_WORKERS_KILL_TIMEOUT", raising=False)
    monkeypatch.delenv("GUNICORN_GRACEFUL_TIMEOUT", raising=False)
    granian_settings = runpy.run_path(str(harness.DOCKER_DIR / "granian_web.py"))["settings"]()
    granian = int(granian_settings["GRANIAN_WORKERS_KILL_TIMEOUT"])
    gunicorn = runpy.run_path(str(harness.DOCKER_DIR / "gunicorn.conf.py"))["graceful_timeout"]
    # when: Docker's SIGKILL deadline for the web containers
    grace = int(re.fullmatch(r"(\d+)s", config["services"]["web"]["stop_grace_period"]).group(1))
    # then
    assert grace > max(granian, gunicorn)
