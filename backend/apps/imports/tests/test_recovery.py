"""Imports whose worker died: found by their stale heartbeat, resumed at the first pending row
(never applying a row twice), given up with a reason after IMPORT_MAX_RECOVERIES; from beat, cron,
the progress endpoint, a new upload, or the redelivered task itself."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.favorites.tests.factories import UserFactory
from apps.history.models import Viewing
from apps.imports import recovery, tasks
from apps.imports.applying import EntryWriter
from apps.imports.matching import Match, MatchedBy
from apps.imports.models import Import, ImportRow, ImportStatus, RowStatus
from apps.imports.runner import ImportRunner, process_row
from apps.movies.tests.factories import MovieFactory

from .conftest import URL, upload

pytestmark = pytest.mark.django_db


class Movies:
    """The catalog collaborator for id rows: movies made on demand; `on_call` runs before call n."""

    def __init__(self, on_call: dict | None = None):
        self.on_call, self.calls = on_call or {}, 0

    def get_movie(self, *, tmdb_id: int):
        self.calls += 1
        if self.calls in self.on_call:
            self.on_call[self.calls]()
        return MovieFactory(tmdb_id=tmdb_id)


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The run_import tasks sent (not run), by import id."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_import, "delay", queued.append)
    return queued


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def dead_import(
    *, rows: int = 3, done: int = 1, silent_for: float = 3600, recoveries: int = 0, user=None
) -> Import:
    """An import left `matching` by a worker that died after settling its first `done` rows."""
    upload = Import.objects.create(
        user=user or UserFactory(),
        source="csv",
        total_rows=rows,
        status=ImportStatus.MATCHING,
        attempts=1,
        heartbeat_at=ago(silent_for),
        recoveries=recoveries,
    )
    writer = EntryWriter(user=upload.user, source="csv")
    for n in range(1, rows + 1):
        row = ImportRow.objects.create(
            upload=upload, position=n, kind="viewing", data={"tmdb_id": 9000 + n, "watched_on": "2024-01-01"}
        )
        if n <= done:
            process_row(row, Match(MovieFactory(tmdb_id=9000 + n), MatchedBy.TMDB_ID), writer)
    return upload


def test_a_stale_import_is_requeued_and_resumes_without_applying_a_row_twice(
    settings, sent, django_capture_on_commit_callbacks
):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(rows=3, done=1, silent_for=61)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        counts = recovery.recover_stalled()
    # then
    upload.refresh_from_db()
    assert counts == {"requeued": 1, "resent": 0, "failed": 0}
    assert (upload.status, upload.recoveries, sent) == (ImportStatus.QUEUED, 1, [upload.pk])
    # when the task runs
    result = ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    assert result["status"] == ImportStatus.DONE
    assert list(upload.rows.values_list("status", flat=True)) == ["applied"] * 3
    assert Viewing.objects.filter(user=upload.user).count() == 3


def test_a_live_import_is_left_alone(settings, sent):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(silent_for=59)
    # when
    counts = recovery.recover_stalled()
    # then
    assert counts == {"requeued": 0, "resent": 0, "failed": 0}
    assert Import.objects.get(pk=upload.pk).status == ImportStatus.MATCHING
    assert sent == []


def test_a_queued_import_whose_message_was_lost_is_sent_again(
    settings, sent, django_capture_on_commit_callbacks
):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(done=0, silent_for=120)
    Import.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        counts = recovery.recover_stalled()
    # then
    upload.refresh_from_db()
    assert counts["resent"] == 1
    assert (upload.status, upload.recoveries, sent) == (ImportStatus.QUEUED, 0, [upload.pk])
    assert upload.heartbeat_at > ago(5)  # not sent again by the next sweep


def test_past_the_limit_it_fails_with_a_reason_the_user_sees(settings, sent, client, user):
    # given
    settings.IMPORT_STALE_SECONDS, settings.IMPORT_MAX_RECOVERIES = 60, 2
    upload = dead_import(rows=4, done=1, recoveries=2, user=user)
    # when
    call = io.StringIO()
    call_command("recover_imports", stdout=call)
    # then
    assert call.getvalue().strip() == "requeued=0 resent=0 failed=1"
    data = client.get(f"{URL}{upload.pk}/").json()["data"]
    assert data["import"]["status"] == "failed"
    assert data["import"]["error"] == (
        "The import stopped 3 times without finishing (the worker running it was lost), so it was given up "
        "with 1 of 4 rows done. Staff can retry it from the admin."
    )
    assert data["counts"]["pending"] == 3
    assert sent == []


def test_staff_retry_gives_a_given_up_import_a_fresh_start(
    settings, sent, django_capture_on_commit_callbacks
):
    # given
    settings.IMPORT_STALE_SECONDS, settings.IMPORT_MAX_RECOVERIES = 60, 0
    upload = dead_import(rows=3, done=1)
    recovery.recover_stalled()
    from apps.imports.services import retry

    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert retry(upload.pk) is True
    ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    upload.refresh_from_db()
    assert (upload.status, upload.recoveries, upload.error) == (ImportStatus.DONE, 0, "")
    assert Viewing.objects.filter(user=upload.user).count() == 3


def test_reading_the_progress_of_a_stale_import_recovers_it(
    settings, sent, client, user, django_capture_on_commit_callbacks
):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(user=user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        data = client.get(f"{URL}{upload.pk}/").json()["data"]
    # then: it no longer says "matching" while nothing runs it
    assert (data["import"]["status"], data["import"]["recoveries"]) == ("queued", 1)
    assert sent == [upload.pk]


@pytest.mark.parametrize(("recoveries", "status", "old_status"), [(0, 409, "queued"), (3, 202, "failed")])
def test_a_new_upload_recovers_the_users_stale_import_first(
    settings, sent, client, user, recoveries, status, old_status
):
    # given
    settings.IMPORT_STALE_SECONDS, settings.IMPORT_MAX_RECOVERIES = 60, 3
    old = dead_import(user=user, recoveries=recoveries)
    # when
    response = client.post(
        URL,
        {"source": "csv", "file": upload("mine.csv", b"tmdb_id,title,watched_on\n1,A,2024-01-01\n")},
        format="multipart",
    )
    # then: resumed (and still the one import running), or given up (and the new one accepted)
    assert response.status_code == status
    assert Import.objects.get(pk=old.pk).status == old_status


def test_the_redelivered_task_takes_over_a_stale_run(settings):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(rows=2, done=1)
    # when: the broker gives the dead worker's message to another worker
    result = ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    upload.refresh_from_db()
    assert result["status"] == ImportStatus.DONE
    assert (upload.recoveries, upload.attempts) == (1, 2)


def test_a_redelivered_task_leaves_a_live_run_alone(settings):
    # given
    settings.IMPORT_STALE_SECONDS = 60
    upload = dead_import(rows=2, done=1, silent_for=5)
    # when
    result = ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    assert result["claimed"] is False
    assert Import.objects.get(pk=upload.pk).status == ImportStatus.MATCHING


def test_a_run_taken_for_dead_stops_at_its_next_heartbeat(settings):
    # given: the heartbeat is due at every row
    settings.IMPORT_HEARTBEAT_SECONDS = 0
    upload = dead_import(rows=3, done=0, silent_for=0)
    Import.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)

    def taken_over():  # meanwhile the recovery requeued it and another worker claimed it
        Import.objects.filter(pk=upload.pk).update(attempts=5)

    # when
    result = ImportRunner(import_id=upload.pk, movies=Movies(on_call={1: taken_over})).run()
    # then: nothing it did after that lands, and the status stays the new run's
    upload.refresh_from_db()
    assert result["status"] == "superseded"
    assert (upload.status, upload.attempts) == (ImportStatus.MATCHING, 5)
    assert list(upload.rows.values_list("status", flat=True)) == ["pending"] * 3


def test_a_row_is_settled_once():
    # given
    upload = dead_import(rows=1, done=1)
    row = upload.rows.get()
    row.status = RowStatus.PENDING  # a run holding a stale copy of the row
    # when
    again = process_row(row, Match(row.movie, MatchedBy.TMDB_ID), EntryWriter(user=upload.user, source="csv"))
    # then
    assert again is False
    assert ImportRow.objects.get(pk=row.pk).status == RowStatus.APPLIED


def test_beat_runs_the_recovery():
    # given
    from config.celery import app

    # then
    entry = app.conf.beat_schedule["recover-stalled-imports"]
    assert entry["task"] == "imports.recover_stalled"
    assert "imports.recover_stalled" in app.tasks
