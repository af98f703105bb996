"""The Celery tasks: same jobs as the commands, retries with back-off, queued only after commit."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings

from apps.movies import tasks
from apps.movies.models import Movie
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db


def test_sync_movies_task_runs_the_job_and_returns_the_summary(tmdb):
    # when
    result = tasks.sync_movies.delay("popular", pages=1).get()

    # then
    assert result["exit_code"] == 0
    assert result["created"] + result["updated"] == 5
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 5


def test_task_is_idempotent(tmdb):
    # given
    tasks.sync_movies.delay("popular").get()

    # when
    again = tasks.sync_movies.delay("popular").get()

    # then
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5)


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager Celery re-applies a retried task at once; errors stay in the result instead of raising."""
    from config.celery import app

    monkeypatch.setattr(tasks, "RETRY_WHEN_EAGER", True)
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_task_retries_when_tmdb_fails_then_succeeds(tmdb, monkeypatch, eager_retries):
    # given the list fails twice, then TMDb recovers
    tmdb.fail("movie/now_playing", status=503, times=6)  # 3 attempts per call (2 client retries)
    monkeypatch.setattr(tasks, "RETRY_BACKOFF", 0)

    # when (eager: retries run at once)
    result = tasks.sync_movies.apply(args=["now_playing"]).get()

    # then
    assert result["exit_code"] == 0
    assert tmdb.count("movie/now_playing") == 7


def test_task_does_not_retry_when_the_credentials_are_refused(tmdb, settings):
    # given
    settings.TMDB_API_KEY = "revoked"

    # when
    result = tasks.sync_genres.apply().get()

    # then
    assert result["exit_code"] == 2
    assert tmdb.count("genre/movie/list") == 1


def test_eager_tasks_do_not_retry_and_keep_the_failures_on_the_rows(tmdb):
    # given no broker (eager), as in local runs and an admin without a worker
    tasks.resync_movies.delay([4]).get()
    tmdb.fail("movie/4", status=503, times=None)

    # when
    result = tasks.resync_movies.delay([4]).get()

    # then
    assert (result["succeeded"], result["failed"]) == (0, 1)
    assert tmdb.count("movie/4") == 1 + 3  # one task run: the first attempt and 2 client retries
    assert Movie.objects.get(tmdb_id=4).sync_status == SyncStatus.FAILED


def test_retry_uses_exponential_backoff_with_jitter(tmdb, monkeypatch, eager_retries):
    # given
    countdowns = []

    def fake_retry(**kwargs):
        countdowns.append(kwargs["countdown"])
        return Retry("retry", when=kwargs["countdown"])

    monkeypatch.setattr(tasks.sync_changes, "retry", fake_retry)
    tmdb.fail("movie/changes", status=503, times=None)

    # when
    with pytest.raises(Retry):
        tasks.sync_changes.run()

    # then
    assert 0 <= countdowns[0] <= tasks.RETRY_BACKOFF


def test_resync_movies_retries_only_the_movies_tmdb_failed(tmdb, monkeypatch, eager_retries):
    # given movie 2 fails once (all its attempts), then recovers
    monkeypatch.setattr(tasks, "RETRY_BACKOFF", 0)
    tmdb.fail("movie/2", status=503, times=3)

    # when
    result = tasks.resync_movies.apply(args=[[1, 2, 4]]).get()

    # then the retry carried only movie 2
    assert result["failed"] == 0
    assert tmdb.count("movie/1") == 1 and tmdb.count("movie/4") == 1
    assert tmdb.count("movie/2") == 4
    assert Movie.objects.get(tmdb_id=2).sync_status == SyncStatus.COMPLETE


def test_enqueue_waits_for_the_commit(tmdb, django_capture_on_commit_callbacks, monkeypatch):
    # given
    queued = []
    monkeypatch.setattr(tasks.resync_movies, "delay", lambda ids: queued.append(ids))

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.enqueue_resync([3, 1])
        assert queued == []

    # then
    assert len(callbacks) == 1
    assert queued == [[3, 1]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_sync_task_from_the_broker(tmdb, settings, tmp_path):
    """A Celery worker subprocess on a queue of its own (so no other engineer's tasks are taken)."""
    # given a worker with this test's settings, pointed at the TMDb double
    queue = f"sync-test-{uuid.uuid4().hex[:10]}"
    from testing.tmdb.double import API_KEY

    db_name = django_settings.DATABASES["default"]["NAME"]  # the test database, committed data
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{db_name}",
        "TMDB_BASE_URL": tmdb.base_url,
        "TMDB_API_KEY": API_KEY,
        "TMDB_RATE_LIMIT": "1000",
        "PYTHONPATH": str(django_settings.BACKEND_DIR),
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
        ],
        cwd=django_settings.BACKEND_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        from config.celery import app

        app.conf.task_always_eager = False
        # when
        result = tasks.resync_movies.apply_async(args=[[1, 4]], queue=queue)
        payload = result.get(timeout=60) if app.conf.result_backend else None
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline and Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() < 2
        ):
            time.sleep(0.25)

        # then
        assert Movie.objects.filter(tmdb_id__in=[1, 4], sync_status=SyncStatus.COMPLETE).count() == 2, (
            log.read_text()
        )
        assert payload is None or payload["failed"] == 0
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_resync_without_credentials_reports_every_movie_failed(db, settings):
    # given
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_ACCESS_TOKEN = ""

    # when
    result = tasks.resync_movies.delay([1, 2]).get()

    # then
    assert (result["succeeded"], result["failed"], result["exit_code"]) == (0, 2, 2)


def test_a_task_lost_with_its_worker_comes_back_well_before_kombus_hour():
    # given: what Celery was configured with (the Redis broker reads broker_transport_options)
    from config.celery import app

    options = app.conf.broker_transport_options
    # then: the visibility timeout outlasts the longest a worker holds a message unacked (its run,
    # or its retry countdown then its run), so a live task is never handed out twice …
    assert app.conf.task_time_limit + tasks.RETRY_BACKOFF_MAX < options["visibility_timeout"]
    # … is well under kombu's default hour, and lost messages are looked for every 10 s
    assert options["visibility_timeout"] <= 20 * 60
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 10
    # and the dead run's job lock has expired by the time its task comes back
    assert options["visibility_timeout"] > django_settings.SYNC_LOCK_TTL
