"""The image's worker and beat roles start through docker/entrypoint.sh and pass compose's health checks."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from . import harness
from .test_compose import ENV, compose_config

# django_db makes pytest-django create the test database the roles migrate and use.
pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def role_env(tmp_path) -> dict[str, str]:
    from django.db import connection

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        harness.TEST_SECRETS,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=harness.database_url(connection.settings_dict),
        CELERY_WORKER_CONCURRENCY="1",
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat" / "celerybeat-schedule"),
        DB_WAIT_TIMEOUT="10",
        PYTHON=sys.executable,
    )
    (tmp_path / "beat").mkdir()
    return env


def compose_healthcheck(service: str) -> str:
    """The CMD-SHELL health check docker-compose.yml gives a service, as the shell will run it."""
    result = compose_config("--format", "json", env=ENV)
    assert result.returncode == 0, result.stderr
    kind, command = json.loads(result.stdout)["services"][service]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    return command.replace("$$", "$")


def wait_for_line(log: Path, process: subprocess.Popen, text: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not logged within {timeout}s: {log.read_text(errors='replace')[-3000:]}")


def test_worker_role_answers_the_compose_health_check(role_env, tmp_path):
    # given: a worker on its own queue, so it never takes anyone else's tasks on the shared broker
    name = f"deploytest-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = harness.start(
        [
            "bash",
            str(harness.DOCKER_DIR / "entrypoint.sh"),
            "worker",
            "--hostname",
            f"{name}@%h",
            "--queues",
            name,
        ],
        env=role_env,
        log=log,
    )
    try:
        wait_for_line(log, worker, "ready.", timeout=90)
        # when: compose's health check command, aimed at this worker
        command = (
            compose_healthcheck("worker")
            .replace("celery ", f"{sys.executable} -m celery ", 1)
            .replace("/app/backend", str(harness.ROOT / "backend"))
            .replace("worker@$HOSTNAME", f"{name}@{socket.gethostname()}")
        )
        ping = subprocess.run(
            [shutil.which("sh"), "-c", command],
            env=role_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        # then
        assert ping.returncode == 0, ping.stdout + ping.stderr
    finally:
        harness.stop(worker, timeout=20)


def test_beat_role_writes_the_schedule_compose_checks(role_env, tmp_path):
    # given: an in-memory broker, so beat publishes nothing onto the shared one
    role_env["CELERY_BROKER_URL"] = "memory://"
    log = tmp_path / "beat.log"
    beat = harness.start(["bash", str(harness.DOCKER_DIR / "entrypoint.sh"), "beat"], env=role_env, log=log)
    try:
        wait_for_line(log, beat, "beat: Starting", timeout=90)
        schedule_dir = Path(role_env["CELERY_BEAT_SCHEDULE_FILE"]).parent
        deadline = time.monotonic() + 20
        while not any(schedule_dir.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
        # when: compose's health check for beat, on this schedule directory
        command = compose_healthcheck("beat").replace("/var/lib/movie-nexus", str(schedule_dir))
        check = subprocess.run(
            [shutil.which("sh"), "-c", command], capture_output=True, timeout=10, check=False
        )
        # then
        assert check.returncode == 0, list(schedule_dir.iterdir())
    finally:
        harness.stop(beat, timeout=20)
