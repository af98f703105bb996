"""The imports admin: status and counts in the list, and the retry action."""

import pytest
from django.urls import reverse

from apps.favorites.tests.factories import UserFactory
from apps.imports.models import Import, ImportRow, ImportStatus, RowStatus
from core.adminsite.testing import client_for, make_staff

pytestmark = pytest.mark.django_db


def failed_import(user=None) -> Import:
    upload = Import.objects.create(
        user=user or UserFactory(), source="csv", status=ImportStatus.DONE, total_rows=2
    )
    ImportRow.objects.create(
        upload=upload, position=1, kind="viewing", status=RowStatus.APPLIED, data={"title": "A"}
    )
    ImportRow.objects.create(
        upload=upload,
        position=2,
        kind="viewing",
        status=RowStatus.FAILED,
        reason="TMDb was unavailable",
        data={"title": "B"},
    )
    return upload


def test_changelist_shows_status_and_counts():
    # given
    failed_import()
    client = client_for(make_staff(perms=("imports.view_import",)))
    # when
    response = client.get(reverse("admin:imports_import_changelist"))
    # then
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.status, row.applied_count, row.failed_count, row.review_count) == ("done", 1, 1, 0)


def test_retry_requeues_the_failed_rows(django_capture_on_commit_callbacks, monkeypatch):
    # given: the task is replaced so the rows stay where retry put them
    from apps.imports import tasks

    queued = []
    monkeypatch.setattr(tasks.run_import, "delay", queued.append)
    upload = failed_import()
    client = client_for(make_staff(perms=("imports.view_import", "imports.change_import")))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:imports_import_changelist"),
            {"action": "retry_imports", "_selected_action": [upload.pk]},
        )
    # then
    upload.refresh_from_db()
    assert response.status_code == 302
    assert upload.status == ImportStatus.QUEUED
    assert list(upload.rows.values_list("status", flat=True)) == [RowStatus.APPLIED, RowStatus.PENDING]
    assert queued == [upload.pk]


def test_retry_is_refused_while_the_user_has_another_active_import():
    # given
    upload = failed_import()
    Import.objects.create(user=upload.user, source="csv")
    from apps.imports.services import retry

    # when / then
    assert retry(upload.pk) is False
    upload.refresh_from_db()
    assert upload.status == ImportStatus.DONE
