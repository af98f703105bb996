"""Running one import: claim it, match and apply its pending rows one transaction each, report."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.favorites import caching
from apps.movies.services import MovieService
from core.exceptions import UpstreamUnavailable

from .applying import EntryWriter
from .matching import Match, Matcher
from .models import Import, ImportRow, ImportStatus, RowStatus

logger = logging.getLogger(__name__)
UPSTREAM_REASON = "TMDb was unavailable: retry the import later."


class ImportRunner:
    """Idempotent: only a queued import is claimed (one worker wins), only pending rows are worked."""

    def __init__(self, *, import_id: int, movies=None):
        self.import_id = import_id
        self.movies = movies if movies is not None else MovieService()

    def run(self) -> dict:
        claimed = Import.objects.filter(pk=self.import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.MATCHING, started_at=timezone.now(), attempts=F("attempts") + 1, error=""
        )
        if not claimed:
            return {"import": self.import_id, "claimed": False}
        upload = Import.objects.select_related("user").get(pk=self.import_id)
        try:
            self._work(upload)
        except SoftTimeLimitExceeded:
            # A long import outlived one task's time limit: queued again, it resumes at the
            # first pending row (every row done so far is committed).
            Import.objects.filter(pk=upload.pk).update(status=ImportStatus.QUEUED)
            from .services import enqueue

            enqueue(upload.pk)
            return {"import": self.import_id, "claimed": True, "status": ImportStatus.QUEUED}
        except Exception as exc:  # recorded for staff (admin retry); the rows done so far stay done
            logger.exception("Import %s failed", self.import_id)
            self._finish(upload, ImportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
            return {"import": self.import_id, "claimed": True, "status": ImportStatus.FAILED}
        self._finish(upload, ImportStatus.DONE)
        return {"import": self.import_id, "claimed": True, "status": ImportStatus.DONE}

    def _work(self, upload: Import) -> None:
        matcher = Matcher(movies=self.movies)
        writer = EntryWriter(user=upload.user, source=upload.source)
        for row in upload.rows.filter(status=RowStatus.PENDING).order_by("position").iterator(chunk_size=200):
            try:
                match = matcher.match(row.data)
            except UpstreamUnavailable:
                _save(row, status=RowStatus.FAILED, reason=UPSTREAM_REASON)
                continue
            process_row(row, match, writer)

    @staticmethod
    def _finish(upload: Import, status: str, *, error: str = "") -> None:
        Import.objects.filter(pk=upload.pk).update(status=status, finished_at=timezone.now(), error=error)
        caching.invalidate_user(upload.user_id)


def process_row(row: ImportRow, match: Match, writer: EntryWriter) -> None:
    """Applies a match to the row in one transaction: the write and the row's outcome together."""
    if match.movie is None and match.candidates:
        candidates = [_candidate(movie) for movie in match.candidates]
        _save(row, status=RowStatus.REVIEW, reason=match.reason, candidates=candidates)
        return
    if match.movie is None:
        _save(row, status=RowStatus.FAILED, reason=match.reason)
        return
    try:
        with transaction.atomic():
            outcome, reason = writer.apply(row.kind, row.data, match.movie)
            _save(
                row,
                status=outcome,
                reason=reason,
                movie=match.movie,
                matched_by=match.matched_by,
                candidates=[],
            )
    except (ValueError, ValidationError, IntegrityError, DataError) as exc:
        # The row's values are refused (rolled back alone); the other rows go on.
        reason = str(exc) if isinstance(exc, ValueError) else f"Invalid values: {exc}"
        _save(
            row, status=RowStatus.FAILED, reason=reason[:255], movie=match.movie, matched_by=match.matched_by
        )


def _candidate(movie) -> dict:
    return {
        "id": movie.tmdb_id,
        "title": movie.title,
        "original_title": movie.original_title,
        "year": movie.release_date.year if movie.release_date else None,
    }


def _save(row: ImportRow, **values) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=list(values))
