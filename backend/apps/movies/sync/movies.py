"""Syncing movie details: fetched in parallel, compared, written in one transaction per movie."""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import OperationalError, connection, connections

from core.mixins.models import SyncStatus
from core.services.tmdb.errors import (
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbUnauthorized,
    TMDbUnavailable,
)

from ..models import Movie
from ..services.writer import CatalogWriter, is_transient
from . import compare
from .fetching import Fetched, Pacer, fetch_details
from .runner import Aborted, SyncRun
from .summary import Outcome

logger = logging.getLogger("apps.movies.sync")


def parallel_writes() -> bool:
    """Several writer threads only where the database takes concurrent writers (PostgreSQL)."""
    return bool(settings.SYNC_PARALLEL_WRITES) and connection.vendor == "postgresql"


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
        self.writer = CatalogWriter.for_client(run.tmdb)

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
                self.writer.mark_checked(tmdb_id)
            return Outcome.UNCHANGED
        if not self.run.dry_run:
            try:
                self.writer.store_details({**payload, "id": tmdb_id})
            except OperationalError as exc:
                if not is_transient(exc):
                    raise
                return self._failed(tmdb_id, exc)
        # A row stored only from another movie's list (never synced in full) is new to the operator.
        first_sync = movie is None or (
            movie.sync_status == SyncStatus.PARTIAL and movie.last_synced_at is None
        )
        return Outcome.CREATED if first_sync else Outcome.UPDATED

    def _gone(self, tmdb_id: int) -> Outcome:
        """TMDb says the movie no longer exists (34): soft-delete it; unknown ids are failures."""
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        if movie is None:
            self.run.note(f"movie {tmdb_id}: not found on TMDb (nothing stored)")
            return Outcome.FAILED
        if not movie.is_active and movie.sync_status == SyncStatus.GONE:
            if not self.run.dry_run:
                self.writer.mark_gone(tmdb_id)  # still gone: only the time it was checked moves
            return Outcome.UNCHANGED
        if not self.run.dry_run:
            self.writer.mark_gone(tmdb_id)
        self.run.note(f"movie {tmdb_id}: gone from TMDb, soft-deleted")
        return Outcome.UPDATED

    def _failed(self, tmdb_id: int, error: Exception) -> Outcome:
        recorded = False if self.run.dry_run else self.writer.record_failure(tmdb_id, error)
        self.run.note(
            f"movie {tmdb_id}: failed ({error}){'' if recorded else ' [not stored, nothing recorded]'}"
        )
        return Outcome.FAILED
