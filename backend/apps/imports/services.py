"""Import business logic: accept an upload (parse, limits, one at a time), progress, review, retry."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from apps.favorites import caching
from apps.movies.services import MovieService
from core.exceptions import Conflict, NotFound, ValidationFailed

from . import recovery
from .applying import EntryWriter
from .matching import Match, MatchedBy
from .models import Import, ImportRow, ImportStatus, RowStatus
from .parsers import Limits, parse
from .runner import process_row

MAX_FAILURES_SHOWN = 100


class ImportInProgress(Conflict):
    default_detail = "An import of yours is already queued or running; wait for it to finish."


def enqueue(import_id: int) -> None:
    """The task runs once the import row is committed (a worker must be able to read it)."""
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.delay(import_id))


class ImportService:
    def __init__(self, *, user, movies=None):
        self.user = user
        self.movies = movies

    def start(self, *, source: str, upload, limits: Limits | None = None) -> Import:
        """Parses the upload now (limits → 413/400 at once), stores its rows, queues the matching.
        An import of the user's that lost its worker is recovered first (it may end, freeing the slot)."""
        entries = parse(source, upload, limits or Limits.from_settings())
        recovery.recover_stalled(user=self.user)
        try:
            with transaction.atomic():
                created = Import.objects.create(
                    user=self.user,
                    source=source,
                    filename=(upload.name or "")[:255],
                    total_rows=len(entries),
                    heartbeat_at=timezone.now(),
                )
                ImportRow.objects.bulk_create(
                    [
                        ImportRow(upload=created, position=index, kind=_kind(item), data=item)
                        for index, item in enumerate(entries, start=1)
                    ],
                    batch_size=1000,
                )
                enqueue(created.pk)
        except IntegrityError as exc:  # the one-active-import-per-user constraint
            raise ImportInProgress() from exc
        return created

    def list_imports(self) -> QuerySet:
        return Import.objects.filter(user=self.user)

    def get_import(self, *, import_id: int) -> Import:
        try:
            return Import.objects.get(pk=import_id, user=self.user)
        except ObjectDoesNotExist as exc:
            raise NotFound("Import not found.") from exc

    def progress(self, *, import_id: int) -> dict:
        """The import's progress; one that lost its worker is recovered first, so it never reads as
        running when nothing runs it."""
        upload = self.get_import(import_id=import_id)
        if recovery.is_stale(upload) and recovery.recover(upload.pk):
            upload.refresh_from_db()
        return {"import": upload, **progress_of(upload)}

    def review_queue(self, *, import_id: int) -> QuerySet:
        return self.get_import(import_id=import_id).rows.filter(status=RowStatus.REVIEW)

    def decide(self, *, import_id: int, position: int, tmdb_id: int | None) -> ImportRow:
        """Confirms one candidate (`tmdb_id`) of a row in review, or skips it (`None`)."""
        upload = self.get_import(import_id=import_id)
        row = upload.rows.filter(position=position, status=RowStatus.REVIEW).first()
        if row is None:
            raise NotFound("No row waiting for review there.")
        if tmdb_id is None:
            row.status, row.reason = RowStatus.SKIPPED, "Skipped in review."
            row.save(update_fields=["status", "reason"])
            return row
        if tmdb_id not in {candidate["id"] for candidate in row.candidates}:
            raise ValidationFailed({"tmdb_id": ["Not one of this row's candidates."]})
        movie = (self.movies or MovieService()).get_movie(tmdb_id=tmdb_id)
        writer = EntryWriter(user=self.user, source=upload.source)
        if not process_row(row, Match(movie, MatchedBy.REVIEW), writer, expected=RowStatus.REVIEW):
            raise NotFound("No row waiting for review there.")  # decided meanwhile (another request)
        caching.invalidate_user(self.user.pk)
        return row


def retry(import_id: int) -> bool:
    """Staff: failed rows back to pending and the import queued again with a fresh recovery budget
    (False if one of the user's imports is already active)."""
    upload = Import.objects.get(pk=import_id)
    try:
        with transaction.atomic():
            upload.rows.filter(status=RowStatus.FAILED).update(status=RowStatus.PENDING, reason="")
            Import.objects.filter(pk=import_id).update(
                status=ImportStatus.QUEUED,
                finished_at=None,
                error="",
                heartbeat_at=timezone.now(),
                recoveries=0,
            )
            enqueue(import_id)
    except IntegrityError:
        return False
    return True


def progress_of(upload: Import) -> dict:
    """Counts by outcome, the match rate and the failed rows with their reasons (three queries)."""
    counts = dict(upload.rows.order_by().values_list("status").annotate(n=Count("id")))
    by = dict(upload.rows.exclude(matched_by="").order_by().values_list("matched_by").annotate(n=Count("id")))
    matched = sum(by.values())
    failures = upload.rows.filter(status=RowStatus.FAILED).order_by("position")[:MAX_FAILURES_SHOWN]
    return {
        "counts": {status: counts.get(status, 0) for status in RowStatus.values}
        | {"total": upload.total_rows},
        "matched_by": by,
        "match_rate": round(matched / upload.total_rows, 4) if upload.total_rows else None,
        "failures": [_failure(row) for row in failures],
    }


def _failure(row: ImportRow) -> dict:
    return {
        "position": row.position,
        "ref": row.data.get("ref", ""),
        "title": row.data.get("title", ""),
        "year": row.data.get("year"),
        "reason": row.reason,
    }


def _kind(item: dict) -> str:
    return item.pop("kind")
