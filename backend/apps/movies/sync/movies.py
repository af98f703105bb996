"""Syncing movie details: fetched in parallel, compared, written in one transaction per movie."""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from core import cache
from core.mixins.models import SyncStatus
from core.services.tmdb.errors import (
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbUnauthorized,
    TMDbUnavailable,
)

from ..models import Movie
from ..services import storage
from . import compare
from .fetching import Fetched, Pacer, fetch_details
from .runner import Aborted, SyncRun
from .summary import Outcome

logger = logging.getLogger("apps.movies.sync")

MAX_ERROR_LENGTH = 1000
WRITE_ATTEMPTS = 6
# PostgreSQL deadlock_detected / serialization_failure; SQLite's busy database.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def parallel_writes() -> bool:
    """Several writer threads only where the database takes concurrent writers (PostgreSQL)."""
    return bool(settings.SYNC_PARALLEL_WRITES) and connection.vendor == "postgresql"


def _is_transient(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES or "database is locked" in str(exc)


def retry_delay(failures: int) -> timedelta:
    """The growing back-off before a failed movie is tried again: base · 2^(failures-1), capped."""
    minutes = settings.SYNC_RETRY_BASE_MINUTES * 2 ** max(0, min(failures, 30) - 1)
    return timedelta(minutes=min(minutes, settings.SYNC_RETRY_MAX_MINUTES))


def record_failure(tmdb_id: int, error: Exception) -> bool:
    """Mark a stored movie failed with the error and the time of its next attempt; False if not stored."""
    with transaction.atomic():
        retries = (
            Movie.objects.select_for_update()
            .filter(tmdb_id=tmdb_id)
            .values_list("sync_retries", flat=True)
            .first()
        )
        if retries is None:
            return False
        failures = min(retries + 1, 32767)
        now = timezone.now()
        message = f"{now:%Y-%m-%dT%H:%M:%SZ} {type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        Movie.objects.filter(tmdb_id=tmdb_id).update(
            sync_status=SyncStatus.FAILED,
            sync_retries=failures,
            last_sync_error=message,
            next_sync_attempt_at=now + retry_delay(failures),
            updated_at=now,
        )
    return True


class MovieSyncer:
    """Brings stored movies in line with TMDb; counts every movie in the run's summary."""

    def __init__(self, run: SyncRun, *, touch_unchanged: bool = False):
        self.run = run
        # refresh_stale stamps last_synced_at on unchanged movies so the next run moves on.
        self.touch_unchanged = touch_unchanged
        self.consecutive_failures = 0
        self.pacer = Pacer(float(settings.TMDB_RATE_LIMIT))
        # Ids settled by this syncer (synced, unchanged, gone, or failed for a reason a retry won't fix).
        self.settled: set[int] = set()

    def sync_ids(self, tmdb_ids: Iterable[int]) -> None:
        ids = list(dict.fromkeys(int(i) for i in tmdb_ids))
        self.run.progress.grow(len(ids))
        if parallel_writes():
            self._sync_parallel(ids)
        else:
            self._sync_pipelined(ids)

    def _sync_pipelined(self, ids: list[int]) -> None:
        """Fetches run ahead in threads; this thread compares and writes (SQLite: one writer at a time)."""
        window: deque[Future] = deque()
        pool = ThreadPoolExecutor(max_workers=self.run.concurrency, thread_name_prefix="sync-fetch")
        try:
            for tmdb_id in ids:
                window.append(pool.submit(fetch_details, self.run.tmdb, tmdb_id, self.pacer))
                if len(window) >= self.run.concurrency * 2:
                    self._apply_and_record(window.popleft().result())
            while window:
                self._apply_and_record(window.popleft().result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _apply_and_record(self, fetched: Fetched) -> None:
        self._record(fetched, self.apply(fetched))

    def _sync_parallel(self, ids: list[int]) -> None:
        """PostgreSQL: each worker thread fetches, compares and writes with its own connection."""
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for tmdb_id in ids:
            todo.put(tmdb_id)
        done: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=self._worker, args=(todo, done, stop), name=f"sync-worker-{n}", daemon=True
            )
            for n in range(min(self.run.concurrency, len(ids)))
        ]
        for worker in workers:
            worker.start()
        try:
            for _ in ids:
                fetched, outcome, error = self._next_result(done, workers)
                if error is not None:
                    raise error
                self._record(fetched, outcome)
        finally:
            stop.set()
            for worker in workers:
                worker.join()

    def _worker(self, todo: queue.SimpleQueue, done: queue.SimpleQueue, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    tmdb_id = todo.get_nowait()
                except queue.Empty:
                    return
                fetched = fetch_details(self.run.tmdb, tmdb_id, self.pacer)
                try:
                    done.put((fetched, self.apply(fetched), None))
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
                    done.put((fetched, None, exc))
        finally:
            connections.close_all()

    def _next_result(self, done: queue.SimpleQueue, workers: list[threading.Thread]) -> tuple:
        while True:
            try:
                return done.get(timeout=1.0)
            except queue.Empty:
                self.run.renew_lock()
                if not any(worker.is_alive() for worker in workers) and done.empty():
                    raise RuntimeError("every sync worker stopped before the work was done") from None

    def _record(self, fetched: Fetched, outcome: Outcome) -> None:
        """Counting, progress, lock renewal and the circuit breaker: always on the run's own thread."""
        self.run.renew_lock()
        if isinstance(fetched.error, TMDbUnavailable):
            self.consecutive_failures += 1
        else:
            self.consecutive_failures = 0
            self.settled.add(fetched.tmdb_id)
        self.run.summary.count(outcome)
        self.run.progress.advance(f"{fetched.tmdb_id} {outcome}")
        if self.consecutive_failures >= settings.SYNC_ABORT_AFTER_FAILURES:
            raise Aborted(
                f"Stopped after {self.consecutive_failures} consecutive TMDb failures; "
                "the remaining movies are left for the next run."
            )

    def apply(self, fetched: Fetched) -> Outcome:
        error = fetched.error
        if isinstance(error, (TMDbUnauthorized, TMDbNotConfigured)):
            raise error
        if isinstance(error, TMDbNotFound):
            return self._gone(fetched.tmdb_id)
        if error is not None:
            return self._failed(fetched.tmdb_id, error)
        return self._store(fetched.tmdb_id, fetched.payload)

    def _store(self, tmdb_id: int, payload: dict) -> Outcome:
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        if movie is not None and not compare.needs_write(movie, payload):
            if self.touch_unchanged and not self.run.dry_run:
                Movie.objects.filter(pk=movie.pk).update(last_synced_at=timezone.now())
            return Outcome.UNCHANGED
        if not self.run.dry_run:
            clear_back_off = movie is not None and movie.next_sync_attempt_at is not None
            try:
                self._write(tmdb_id, payload, clear_back_off=clear_back_off)
            except OperationalError as exc:
                if not _is_transient(exc):
                    raise
                return self._failed(tmdb_id, exc)
        return Outcome.CREATED if movie is None else Outcome.UPDATED

    @staticmethod
    def _write(tmdb_id: int, payload: dict, *, clear_back_off: bool) -> None:
        """The catalog's upsert of a details payload: one transaction for the movie and everything it owns.

        Parallel writers may deadlock on shared related-movie rows; the loser is rolled back whole
        and simply tried again.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return MovieSyncer._write_once(tmdb_id, payload, clear_back_off=clear_back_off)
            except OperationalError as exc:
                if attempt + 1 >= WRITE_ATTEMPTS or not _is_transient(exc):
                    raise
                logger.info(
                    "movie %s: write conflict (%s), retry %d", tmdb_id, exc.__cause__ or exc, attempt + 1
                )
                time.sleep(random.uniform(0.02, 0.2) * (attempt + 1))  # noqa: S311 - jitter

    @staticmethod
    def _write_once(tmdb_id: int, payload: dict, *, clear_back_off: bool) -> None:
        with transaction.atomic():
            storage.store_movie_details({**payload, "id": tmdb_id})
            if clear_back_off:
                Movie.objects.filter(tmdb_id=tmdb_id).update(next_sync_attempt_at=None)
            # The writer invalidates what it changed: the movie's detail responses and every list.
            transaction.on_commit(lambda: cache.invalidate_movie(tmdb_id))

    def _gone(self, tmdb_id: int) -> Outcome:
        """TMDb says the movie no longer exists (34): soft-delete it; unknown ids are failures."""
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        if movie is None:
            self.run.note(f"movie {tmdb_id}: not found on TMDb (nothing stored)")
            return Outcome.FAILED
        if not movie.is_active and movie.sync_status == SyncStatus.GONE:
            return Outcome.UNCHANGED
        if not self.run.dry_run:
            with transaction.atomic():
                storage.mark_gone(tmdb_id)
                Movie.objects.filter(tmdb_id=tmdb_id).update(next_sync_attempt_at=None)
        self.run.note(f"movie {tmdb_id}: gone from TMDb, soft-deleted")
        return Outcome.UPDATED

    def _failed(self, tmdb_id: int, error: Exception) -> Outcome:
        recorded = False if self.run.dry_run else record_failure(tmdb_id, error)
        self.run.note(
            f"movie {tmdb_id}: failed ({error}){'' if recorded else ' [not stored, nothing recorded]'}"
        )
        return Outcome.FAILED
