"""A Celery worker killed (SIGKILL) in the middle of an import: the import is left `matching`, the
redelivered task leaves it alone while it might still be alive, and once its heartbeat is stale
the cron recovery queues it again; a new worker resumes it to `done` with every row applied once.
Real worker processes on the real broker (a queue of our own), PostgreSQL, the TMDb double."""

import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.hardening.support.processes import (
    ROOT,
    delete_queue,
    manage,
    start_worker,
    stop,
    wait_for_other_connections_to_end,
    wait_until,
)

from apps.favorites.tests.factories import UserFactory
from apps.history.models import Viewing
from apps.imports import tasks
from apps.imports.models import Import, ImportStatus, RowStatus
from apps.imports.services import ImportService, progress_of

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FILMS = 120
SEARCH_DELAY = 0.2  # TMDb made slow, so the worker is mid-import when it dies


@pytest.fixture
def queue():
    name = f"imports-kill-{uuid.uuid4().hex[:8]}"
    yield name
    delete_queue(os.environ["CELERY_BROKER_URL"], name)


@pytest.fixture
def diary(tmdb_double) -> bytes:
    """A generic CSV naming FILMS films by title and year only (each needs a search)."""
    lines = ["title,year,watched_on,rating"]
    for n in range(FILMS):
        year = 1990 + n % 30
        tmdb_double.add_movie(5000 + n, title=f"Killed Worker Film {n}", release_date=f"{year}-03-01")
        lines.append(f"Killed Worker Film {n},{year},2024-01-{1 + n % 28:02d},{1 + n % 10}")
    tmdb_double.fail("search/movie", status=200, delay=SEARCH_DELAY, times=None)
    return ("\n".join(lines) + "\n").encode()


def worker_env(tmdb_double, queue: str, **extra: str) -> dict:
    from testing.tmdb.double import API_KEY

    database = django_settings.DATABASES["default"]["NAME"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONPATH": str(ROOT / "backend"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TMDB_BASE_URL": tmdb_double.base_url,
        "TMDB_API_KEY": API_KEY,
        "TMDB_READ_ACCESS_TOKEN": "",
        "IMPORT_CONCURRENCY": "2",
        "IMPORT_HEARTBEAT_SECONDS": "0.5",
        # The workers' own check (a redelivered task) never finds it stale: only the recovery does.
        "IMPORT_STALE_SECONDS": "3600",
        **extra,
    }


def settled(import_id: int) -> int:
    return Import.objects.get(pk=import_id).rows.exclude(status=RowStatus.PENDING).count()


def test_a_killed_worker_s_import_is_recovered_and_finishes_once(
    monkeypatch, tmdb_double, diary, queue, tmp_path
):
    # given: an import queued on our queue, and a worker running it
    monkeypatch.setattr(tasks.run_import, "delay", lambda import_id: None)  # sent below, by hand
    user = UserFactory()
    upload = ImportService(user=user).start(source="csv", upload=SimpleUploadedFile("diary.csv", diary))
    env = worker_env(tmdb_double, queue)
    first = start_worker(env, queue, log=tmp_path / "first.log")
    second = None
    try:
        manage(
            env, "shell", "-c", f"from apps.imports.tasks import run_import; run_import.delay({upload.pk})"
        )
        started = wait_until(lambda: settled(upload.pk) > 0, timeout=90, interval=0.05)
        assert started, (tmp_path / "first.log").read_text()

        # when the worker is killed outright mid-import
        stop(first)
        wait_for_other_connections_to_end()

        # then the import is stuck where it was: matching, part done
        stuck = Import.objects.get(pk=upload.pk)
        partial = settled(upload.pk)
        assert stuck.status == ImportStatus.MATCHING
        assert 0 < partial < FILMS, "the import finished before the kill; slow TMDb down more"

        # when a new worker comes up (RabbitMQ hands it the dead worker's message at once: the
        # import is not stale yet, so that task leaves it alone) and cron's recovery runs once the
        # heartbeat is stale
        second = start_worker(env, queue, log=tmp_path / "second.log")
        stale_after = 2
        assert wait_until(lambda: heartbeat_age(upload.pk) > stale_after, timeout=30, interval=0.1)
        assert Import.objects.get(pk=upload.pk).status == ImportStatus.MATCHING
        output = manage({**env, "IMPORT_STALE_SECONDS": str(stale_after)}, "recover_imports")

        # then it is queued again and the new worker finishes it
        assert output.strip() == "requeued=1 resent=0 failed=0"
        done = wait_until(lambda: Import.objects.get(pk=upload.pk).status == ImportStatus.DONE, timeout=120)
        assert done, (tmp_path / "second.log").read_text()
    finally:
        stop(first)
        if second is not None:
            stop(second)

    # and every row was applied exactly once (a row applied twice would say "unchanged")
    finished = Import.objects.get(pk=upload.pk)
    counts = progress_of(finished)["counts"]
    assert (counts["applied"], counts["unchanged"], counts["failed"], counts["pending"]) == (FILMS, 0, 0, 0)
    assert (finished.recoveries, finished.attempts) == (1, 2)
    viewings = Viewing.objects.filter(user=user)
    assert viewings.count() == FILMS
    assert viewings.values("movie").distinct().count() == FILMS
    assert sorted(viewings.values_list("movie__tmdb_id", flat=True)) == list(range(5000, 5000 + FILMS))


def heartbeat_age(import_id: int) -> float:
    return (timezone.now() - Import.objects.get(pk=import_id).heartbeat_at).total_seconds()
