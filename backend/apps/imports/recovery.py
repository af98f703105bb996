"""Recovering imports whose worker died: queued again to resume at the first pending row, a bounded
number of times, then failed with a reason the user and staff see.

An active import is stale when its heartbeat (touched at queueing, at the claim and every
IMPORT_HEARTBEAT_SECONDS by the running task) is older than IMPORT_STALE_SECONDS. A stale
`matching` import lost its worker: it goes back to `queued` (its `recoveries` counted) and a task
is sent, or, past IMPORT_MAX_RECOVERIES, it fails. A stale `queued` import lost its message (a
broker restart): the task is sent again (harmless: only a queued import is claimed). Rows are
settled one transaction each, so resuming never applies a row twice.

Run by beat (`imports.recover_stalled`), cron (`manage.py recover_imports`), the progress
endpoint (for the import read) and a new upload (for that user's imports).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.favorites import caching

from .models import ACTIVE_STATUSES, Import, ImportStatus, RowStatus

logger = logging.getLogger(__name__)
REQUEUED, FAILED, RESENT = "requeued", "failed", "resent"
STALLED_REASON = (
    "The import stopped {count} times without finishing (the worker running it was lost), so it was "
    "given up with {done} of {total} rows done. Staff can retry it from the admin."
)


def stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)


def stale(queryset: QuerySet | None = None) -> QuerySet:
    """Active imports silent for longer than IMPORT_STALE_SECONDS."""
    queryset = Import.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=ACTIVE_STATUSES, heartbeat_at__lt=stale_before())


def is_stale(upload: Import) -> bool:
    return (
        upload.status in ACTIVE_STATUSES
        and upload.heartbeat_at is not None
        and upload.heartbeat_at < stale_before()
    )


def recover(import_id: int, *, requeue: bool = True) -> str | None:
    """Recovers one import if it is stale: "requeued", "resent", "failed", or None (it is not).
    `requeue=False` (the task itself, about to claim it) sends no new task."""
    with transaction.atomic():
        upload = Import.objects.select_for_update().filter(pk=import_id).first()
        if upload is None or not is_stale(upload):
            return None
        outcome = _recover(upload)
        if requeue and outcome != FAILED:
            from .services import enqueue

            enqueue(upload.pk)
    logger.warning("Import %s had no heartbeat since %s: %s", import_id, upload.heartbeat_at, outcome)
    if outcome == FAILED:
        caching.invalidate_user(upload.user_id)
    return outcome


def recover_stalled(*, user=None) -> dict[str, int]:
    """Recovers every stale import (of `user` only, if given); counts by outcome."""
    counts = {REQUEUED: 0, RESENT: 0, FAILED: 0}
    queryset = stale() if user is None else stale(Import.objects.filter(user=user))
    for import_id in queryset.order_by("heartbeat_at").values_list("pk", flat=True):
        outcome = recover(import_id)
        if outcome is not None:
            counts[outcome] += 1
    return counts


def _recover(upload: Import) -> str:
    now = timezone.now()
    if upload.status == ImportStatus.QUEUED:
        Import.objects.filter(pk=upload.pk).update(heartbeat_at=now)
        return RESENT
    if upload.recoveries >= settings.IMPORT_MAX_RECOVERIES:
        done = upload.rows.exclude(status=RowStatus.PENDING).count()
        error = STALLED_REASON.format(count=upload.recoveries + 1, done=done, total=upload.total_rows)
        Import.objects.filter(pk=upload.pk).update(status=ImportStatus.FAILED, finished_at=now, error=error)
        return FAILED
    Import.objects.filter(pk=upload.pk).update(
        status=ImportStatus.QUEUED, heartbeat_at=now, recoveries=upload.recoveries + 1
    )
    return REQUEUED
