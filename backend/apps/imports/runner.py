"""Running one import: claim it, match its pending rows, store the matched movies in batches, apply
each row in its own transaction, keep a heartbeat, report."""

import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.favorites import caching
from apps.movies.models import Movie
from apps.movies.services import MovieService
from apps.movies.services.writer import CatalogWriter
from core.exceptions import UpstreamUnavailable
from core.services.tmdb import get_client

from . import recovery
from .applying import EntryWriter
from .lookups import TitleLookups
from .matching import IdMatcher, Match, TitleQuery, TitleResults, decide_title, needs_ids
from .models import Import, ImportRow, ImportStatus, RowStatus

logger = logging.getLogger(__name__)
UPSTREAM_REASON = "TMDb was unavailable: retry the import later."
AHEAD = 400  # rows whose searches may run ahead of the row being applied
BATCH = 50  # rows decided together: their matched movies are stored in one catalog write
PAGE = 500  # pending rows read per query


class Superseded(Exception):
    """This run no longer owns the import: the recovery took it for dead (requeued or failed it)."""


class ImportRunner:
    """Idempotent: only a queued import is claimed (one worker wins), only pending rows are worked,
    each row is settled once (locked, and only while pending). The claim's `attempts` is the run's
    token: heartbeats and the final status only land while the import is still this run's."""

    def __init__(self, *, import_id: int, movies=None, tmdb=None):
        self.import_id = import_id
        self.movies = movies if movies is not None else MovieService()
        self.ids = IdMatcher(movies=self.movies)
        self.tmdb = tmdb
        self.token = 0
        self.last_beat = 0.0
        self._lookups: TitleLookups | None = None

    def run(self) -> dict:
        recovery.recover(self.import_id, requeue=False)  # a redelivered task takes over a dead run
        upload = self._claim()
        if upload is None:
            return {"import": self.import_id, "claimed": False}
        try:
            self._work(upload)
        except Superseded:
            logger.warning("Import %s: run %s was superseded; stopping", self.import_id, self.token)
            return {"import": self.import_id, "claimed": True, "status": "superseded"}
        except SoftTimeLimitExceeded:
            # A long import outlived one task's time limit: queued again, it resumes at the first
            # pending row (every row done so far is committed).
            if self._own().update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now()):
                from .services import enqueue

                enqueue(upload.pk)
            return {"import": self.import_id, "claimed": True, "status": ImportStatus.QUEUED}
        except Exception as exc:  # recorded for staff (admin retry); the rows done so far stay done
            logger.exception("Import %s failed", self.import_id)
            self._finish(upload, ImportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
            return {"import": self.import_id, "claimed": True, "status": ImportStatus.FAILED}
        self._finish(upload, ImportStatus.DONE)
        return {"import": self.import_id, "claimed": True, "status": ImportStatus.DONE}

    def _claim(self) -> Import | None:
        now = timezone.now()
        claimed = Import.objects.filter(pk=self.import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.MATCHING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            error="",
        )
        if not claimed:
            return None
        upload = Import.objects.select_related("user").get(pk=self.import_id)
        self.token, self.last_beat = upload.attempts, time.monotonic()
        return upload

    def _own(self):
        return Import.objects.filter(pk=self.import_id, status=ImportStatus.MATCHING, attempts=self.token)

    def beat(self) -> None:
        """The heartbeat, at most every IMPORT_HEARTBEAT_SECONDS; Superseded once the import is not ours."""
        if time.monotonic() - self.last_beat < settings.IMPORT_HEARTBEAT_SECONDS:
            return
        self.last_beat = time.monotonic()
        if not self._own().update(heartbeat_at=timezone.now()):
            raise Superseded()

    def _work(self, upload: Import) -> None:
        batch = Batch(runner=self, writer=EntryWriter(user=upload.user, source=upload.source))
        window: deque[tuple[ImportRow, Future | None]] = deque()
        try:
            for row in _pending_rows(upload):
                window.append((row, self._start(row)))
                if len(window) >= AHEAD:
                    batch.add(*self._settle(*window.popleft()))
            while window:
                batch.add(*self._settle(*window.popleft()))
            batch.flush()
        except SoftTimeLimitExceeded:
            batch.flush()  # the rows matched so far are applied (the hard limit is 30 s away)
            raise
        finally:
            if self._lookups is not None:
                self._lookups.close()

    @property
    def lookups(self) -> TitleLookups:
        if self._lookups is None:
            self._lookups = TitleLookups(tmdb=self.tmdb or getattr(self.movies, "tmdb", None) or get_client())
        return self._lookups

    def _start(self, row: ImportRow) -> Future | None:
        """A title row's searches start now, in a lookup thread; id rows are matched when settled."""
        return None if needs_ids(row.data) else self.lookups.submit(TitleQuery.of(row.data))

    def _settle(self, row: ImportRow, searching: Future | None) -> tuple[ImportRow, Match | TitleResults]:
        self.beat()
        try:
            if searching is not None:
                return row, self._wait(searching)
            match = self.ids.match(row.data)
            return row, match if match is not None else self.lookups.now(TitleQuery.of(row.data))
        except UpstreamUnavailable:
            return row, Match(reason=UPSTREAM_REASON)

    def _wait(self, searching: Future) -> TitleResults:
        while True:
            try:
                return searching.result(timeout=max(0.1, settings.IMPORT_HEARTBEAT_SECONDS / 2))
            except FutureTimeout:
                self.beat()

    def catalog_writer(self) -> CatalogWriter:
        writer = getattr(self.movies, "writer", None)
        return (
            writer
            if isinstance(writer, CatalogWriter)
            else CatalogWriter.for_client(self.lookups.searches.tmdb)
        )

    def _finish(self, upload: Import, status: str, *, error: str = "") -> None:
        self._own().update(status=status, finished_at=timezone.now(), error=error)
        caching.invalidate_user(upload.user_id)


class Batch:
    """Rows settled but not yet applied: decided together, their movies stored in one write."""

    def __init__(self, *, runner: ImportRunner, writer: EntryWriter):
        self.runner, self.writer = runner, writer
        self.entries: list[tuple[ImportRow, Match | TitleResults]] = []

    def add(self, row: ImportRow, settled: Match | TitleResults) -> None:
        self.entries.append((row, settled))
        if len(self.entries) >= BATCH:
            self.flush()

    def flush(self) -> None:
        entries, self.entries = self.entries, []
        if not entries:
            return
        hidden = _hidden({tmdb_id for _, s in entries if isinstance(s, TitleResults) for tmdb_id in s.ids()})
        decided = [(row, decide_title(s, hidden) if isinstance(s, TitleResults) else s) for row, s in entries]
        movies = self._store([match.item for _, match in decided if match.item is not None])
        for row, match in decided:
            process_row(row, _with_movie(match, movies), self.writer)
            self.runner.beat()

    def _store(self, items: list[dict]) -> dict[int, Movie]:
        """The matched search results, stored through the catalog writer in one write: {tmdb_id: movie}."""
        if not items:
            return {}
        pks = self.runner.catalog_writer().store_list_items(items).pks
        return {movie.tmdb_id: movie for movie in Movie.objects.active().filter(pk__in=list(pks.values()))}


def _with_movie(match: Match, movies: dict[int, Movie]) -> Match:
    if match.item is None:
        return match
    movie = movies.get(match.item["id"])
    return Match(movie, match.matched_by) if movie is not None else Match(reason="No match on TMDb.")


def _hidden(tmdb_ids: set[int]) -> set[int]:
    """Those of `tmdb_ids` stored here but inactive (gone from TMDb, hidden by staff): never matched."""
    if not tmdb_ids:
        return set()
    return set(Movie.objects.filter(tmdb_id__in=tmdb_ids, is_active=False).values_list("tmdb_id", flat=True))


def _pending_rows(upload: Import) -> Iterator[ImportRow]:
    """The pending rows in order, a page per query (no cursor held open through the run)."""
    last = 0
    while True:
        page = list(
            upload.rows.filter(status=RowStatus.PENDING, position__gt=last).order_by("position")[:PAGE]
        )
        if not page:
            return
        yield from page
        last = page[-1].position


def process_row(
    row: ImportRow, match: Match, writer: EntryWriter, *, expected: str = RowStatus.PENDING
) -> bool:
    """Applies a match to the row in one transaction: the write and the row's outcome together. The
    row is locked first and settled only if still `expected` (a run that was taken for dead and
    another run never settle one row twice). False if it was settled already."""
    with transaction.atomic():
        if not ImportRow.objects.select_for_update().filter(pk=row.pk, status=expected).exists():
            return False
        try:
            with transaction.atomic():
                values = _outcome(row, match, writer)
        except (ValueError, ValidationError, IntegrityError, DataError) as exc:
            # The row's values are refused (its write rolled back alone); the other rows go on.
            reason = str(exc) if isinstance(exc, ValueError) else f"Invalid values: {exc}"
            values = {
                "status": RowStatus.FAILED,
                "reason": reason[:255],
                "movie": match.movie,
                "matched_by": match.matched_by,
            }
        _save(row, **values)
    return True


def _outcome(row: ImportRow, match: Match, writer: EntryWriter) -> dict:
    if match.movie is None and match.candidates:
        return {"status": RowStatus.REVIEW, "reason": match.reason, "candidates": match.candidates}
    if match.movie is None:
        return {"status": RowStatus.FAILED, "reason": match.reason}
    outcome, reason = writer.apply(row.kind, row.data, match.movie)
    return {
        "status": outcome,
        "reason": reason,
        "movie": match.movie,
        "matched_by": match.matched_by,
        "candidates": [],
    }


def _save(row: ImportRow, **values) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=list(values))
