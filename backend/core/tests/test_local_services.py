"""The local real-services path: `make services-check` and `make worker` from the repository root,
the project's own Celery queue, and /health/ready counting the workers on it."""

import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from celery import current_app
from django.core.management import CommandError, call_command

from core import health

from .deploy import harness
from .deploy.test_celery_roles import wait_for_line
from .fresh_process import run_python


def make(*args: str) -> list[str]:
    """`make` in the repository root, on this interpreter's virtualenv."""
    return ["make", "--no-print-directory", "-s", *args, f"VENV={harness.venv_bin().parent}"]


def run_make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        make(*args), cwd=harness.ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def local_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    return env | {"SECRET_KEY": harness.TEST_SECRETS["SECRET_KEY"], **overrides}


# Embedded --------------------------------------------------------------------------------------
def test_tasks_go_to_the_projects_own_queue_not_celerys_default():
    # given a task of each app
    for name in ("authentication.send_account_email", "movies.resync_movies"):
        # when Celery routes it
        route = current_app.amqp.router.route({}, name)
        # then it lands on movie_nexus, which another project's worker does not consume
        assert route["queue"].name == "movie_nexus"


@pytest.mark.django_db
def test_check_services_reports_each_service(capsys):
    # when
    call_command("check_services")
    # then
    out = capsys.readouterr().out
    for name in ("database", "cache", "broker"):
        assert f"  {name:<9} ok" in out
    assert "  workers" in out


@pytest.mark.django_db
def test_check_services_names_what_does_not_answer_and_its_variable(monkeypatch, capsys):
    # given a cache that does not answer
    def down():
        raise ConnectionError("connection refused")

    monkeypatch.setattr(health, "check_cache", down)
    # when / then
    with pytest.raises(CommandError, match="cache"):
        call_command("check_services")
    assert "cache     FAIL ConnectionError: connection refused (check REDIS_URL)" in capsys.readouterr().out


def test_make_worker_without_a_broker_says_none_is_needed():
    # given no CELERY_BROKER_URL
    env = local_env()
    env.pop("CELERY_BROKER_URL", None)
    # when
    result = run_make("worker", env=env)
    # then
    assert result.returncode != 0
    assert "tasks run inside the web process" in result.stdout


@pytest.mark.django_db
def test_ready_in_embedded_mode_says_tasks_run_in_process(api_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = api_client.get("/health/ready").json()
    assert body["data"]["workers"] == {"status": "eager", "count": None, "queue": "movie_nexus"}


# Real services ---------------------------------------------------------------------------------
@pytest.mark.services
def test_services_check_creates_a_missing_database():
    # given a DATABASE_URL naming a database that does not exist yet
    name = f"mnx_check_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"/{name}"))
    env = local_env(DATABASE_URL=url)
    try:
        # when the README's first real-services command runs
        result = run_make("services-check", env=env)
        # then it created it, and every service answered (the README shows this very command)
        assert "make services-check && make run" in (harness.ROOT / "README.md").read_text()
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"postgresql {name} (created)" in result.stdout
        with psycopg.connect(url) as created:
            assert created.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.services
@pytest.mark.django_db
def test_ready_counts_the_worker_make_worker_starts(api_client, settings, tmp_path):
    # given a queue of this test's own, and readiness looking at real workers
    queue = f"mnx-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTH_WORKERS_TIMEOUT = 3.0  # a busy CI machine: give the worker time to answer
    before = api_client.get("/health/ready")
    # when `make worker` runs from the repository root with that queue
    env = local_env(CELERY_TASK_DEFAULT_QUEUE=queue)
    log = tmp_path / "worker.log"
    worker = harness.start(
        make("worker", "WORKER_ARGS=--concurrency 1 --without-mingle --without-gossip"),
        env=env,
        log=log,
    )
    try:
        wait_for_line(log, worker, "ready.", timeout=90)
        after = api_client.get("/health/ready")
    finally:
        harness.stop(worker, timeout=20)
    # then readiness was 200 without a worker, said so, and counts the one that started
    assert before.status_code == 200
    assert before.json()["data"]["workers"]["status"] == "none"
    assert "make worker" in before.json()["message"]
    assert after.status_code == 200
    assert after.json()["data"]["workers"] == {
        "status": "ok",
        "count": 1,
        "queue": queue,
        "latency_ms": after.json()["data"]["workers"]["latency_ms"],
    }


def test_embedded_mode_enqueues_without_kombus_no_hostname_warning():
    # given local settings without a broker, in a fresh process (as `make run` starts)
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from config.celery import app\n"
        "with app.producer_or_acquire(): pass\n"
        "print(settings.CELERY_BROKER_URL, app.conf.task_always_eager)\n"
    )
    # when a task is enqueued the way .delay() does in eager mode
    result = run_python(
        code, drop=("CELERY_", "DATABASE_URL", "REDIS_URL"), SECRET_KEY=harness.TEST_SECRETS["SECRET_KEY"]
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["memory://localhost/", "True"]
    assert "No hostname" not in result.stdout + result.stderr
