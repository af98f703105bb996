"""ImportRunner on its own: claiming, the time limit (resume later), unexpected failures."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from apps.favorites.tests.factories import UserFactory
from apps.history.models import Viewing
from apps.imports.models import Import, ImportRow, ImportStatus, RowStatus
from apps.imports.runner import ImportRunner
from apps.movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


class Movies:
    """The catalog collaborator: known movies by TMDb id; `stop_at` raises the task's time limit."""

    def __init__(self, *, stop_at: int | None = None, error: Exception | None = None):
        self.stop_at, self.error, self.calls = stop_at, error, 0

    def get_movie(self, *, tmdb_id: int):
        self.calls += 1
        if self.error is not None:
            raise self.error
        if self.calls == self.stop_at:
            raise SoftTimeLimitExceeded()
        return MovieFactory(tmdb_id=tmdb_id)


def queued_import(rows: int) -> Import:
    upload = Import.objects.create(user=UserFactory(), source="csv", total_rows=rows)
    ImportRow.objects.bulk_create(
        ImportRow(
            upload=upload, position=n, kind="viewing", data={"tmdb_id": 9000 + n, "watched_on": "2024-01-01"}
        )
        for n in range(1, rows + 1)
    )
    return upload


def test_only_a_queued_import_is_claimed():
    # given
    upload = queued_import(1)
    Import.objects.filter(pk=upload.pk).update(status=ImportStatus.DONE)
    # when
    result = ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    assert result["claimed"] is False
    assert ImportRow.objects.get(upload=upload).status == RowStatus.PENDING


def test_the_time_limit_requeues_the_import_to_resume_where_it_stopped(
    monkeypatch, django_capture_on_commit_callbacks
):
    # given
    from apps.imports import tasks

    queued = []
    monkeypatch.setattr(tasks.run_import, "delay", queued.append)
    upload = queued_import(3)
    # when: the limit strikes at the second row
    with django_capture_on_commit_callbacks(execute=True):
        first = ImportRunner(import_id=upload.pk, movies=Movies(stop_at=2)).run()
    # then
    assert (first["status"], queued) == (ImportStatus.QUEUED, [upload.pk])
    assert list(upload.rows.values_list("status", flat=True)) == ["applied", "pending", "pending"]
    # when: the requeued task runs
    second = ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    assert second["status"] == ImportStatus.DONE
    assert Viewing.objects.filter(user=upload.user).count() == 3


def test_an_unexpected_error_fails_the_import_with_the_reason():
    # given
    upload = queued_import(1)
    # when
    result = ImportRunner(import_id=upload.pk, movies=Movies(error=RuntimeError("disk on fire"))).run()
    # then
    upload.refresh_from_db()
    assert result["status"] == ImportStatus.FAILED
    assert (upload.status, upload.error) == (ImportStatus.FAILED, "RuntimeError: disk on fire")


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"rating": 11}, "Rating 11 is not 1-10."),
        ({"rating": "9"}, "Rating '9' is not 1-10."),
        ({"rewatch": "often"}, "Rewatch must be true or false."),
        ({"watched_on": "someday"}, "No date watched."),
    ],
)
def test_a_row_with_bad_values_fails_alone(values, reason):
    # given: a hand-edited Movie Nexus export, say
    upload = queued_import(2)
    row = upload.rows.get(position=1)
    row.data = {**row.data, **values}
    row.save()
    # when
    ImportRunner(import_id=upload.pk, movies=Movies()).run()
    # then
    assert list(upload.rows.values_list("status", "reason")) == [("failed", reason), ("applied", "")]
    assert Import.objects.get(pk=upload.pk).status == ImportStatus.DONE
