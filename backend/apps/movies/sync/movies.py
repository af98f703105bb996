"""Syncing movie details: parallel fetches (one upstream call each), then one transaction per movie."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.mixins.models import SyncStatus
from core.services.tmdb import TMDbClient
from core.services.tmdb.errors import (
    TMDbError,
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbRateLimited,
    TMDbUnauthorized,
    TMDbUnavailable,
)

from ..models import Movie
from ..services import MovieService, storage
from . import compare
from .runner import Aborted, SyncRun
from .summary import Outcome

logger = logging.getLogger("apps.movies.sync")

MAX_ERROR_LENGTH = 1000
MAX_UPSTREAM_WAIT = 30.0


@dataclass
class Fetched:
    tmdb_id: int
    payload: dict | None = None
    error: TMDbError | None = None


def fetch_details(tmdb: TMDbClient, tmdb_id: int) -> Fetched:
    """The full details (append_to_response); a movie still rate limited after the client's own
    retries waits as TMDb asks and is tried again, so a busy TMDb slows a run instead of failing it."""
    for attempt in range(settings.SYNC_RATE_LIMIT_RETRIES + 1):
        try:
            return Fetched(tmdb_id, payload=tmdb.movie_details(tmdb_id, fresh=True))
        except TMDbRateLimited as exc:
            if attempt >= settings.SYNC_RATE_LIMIT_RETRIES:
                return Fetched(tmdb_id, error=exc)
            time.sleep(min(MAX_UPSTREAM_WAIT, exc.retry_after or 1.0 + attempt))
        except TMDbError as exc:
            return Fetched(tmdb_id, error=exc)
    raise AssertionError("unreachable")  # pragma: no cover


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
        self.service = MovieService(tmdb=run.tmdb)
        # refresh_stale stamps last_synced_at on unchanged movies so the next run moves on.
        self.touch_unchanged = touch_unchanged
        self.consecutive_failures = 0
        # Ids settled by this syncer (synced, unchanged, gone, or failed for a reason a retry won't fix).
        self.settled: set[int] = set()

    def sync_ids(self, tmdb_ids: Iterable[int]) -> None:
        ids = list(dict.fromkeys(int(i) for i in tmdb_ids))
        self.run.progress.grow(len(ids))
        window: deque[Future] = deque()
        pool = ThreadPoolExecutor(max_workers=self.run.concurrency, thread_name_prefix="sync-fetch")
        try:
            for tmdb_id in ids:
                window.append(pool.submit(fetch_details, self.run.tmdb, tmdb_id))
                if len(window) >= self.run.concurrency * 2:
                    self._consume(window.popleft().result())
            while window:
                self._consume(window.popleft().result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _consume(self, fetched: Fetched) -> None:
        self.run.renew_lock()
        outcome = self.apply(fetched)
        if not isinstance(fetched.error, TMDbUnavailable):
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
        self.consecutive_failures = 0
        return self._store(fetched.tmdb_id, fetched.payload)

    def _store(self, tmdb_id: int, payload: dict) -> Outcome:
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        if movie is not None and not compare.needs_write(movie, payload):
            if self.touch_unchanged and not self.run.dry_run:
                Movie.objects.filter(pk=movie.pk).update(last_synced_at=timezone.now())
            return Outcome.UNCHANGED
        if not self.run.dry_run:
            with transaction.atomic():
                self.service.update_movie_data(data={**payload, "id": tmdb_id})
                Movie.objects.filter(tmdb_id=tmdb_id).update(next_sync_attempt_at=None)
        return Outcome.CREATED if movie is None else Outcome.UPDATED

    def _gone(self, tmdb_id: int) -> Outcome:
        """TMDb says the movie no longer exists (34): soft-delete it; unknown ids are failures."""
        self.consecutive_failures = 0
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

    def _failed(self, tmdb_id: int, error: TMDbError) -> Outcome:
        recorded = False if self.run.dry_run else record_failure(tmdb_id, error)
        self.run.note(
            f"movie {tmdb_id}: failed ({error}){'' if recorded else ' [not stored, nothing recorded]'}"
        )
        if isinstance(error, TMDbUnavailable):
            self.consecutive_failures += 1
        return Outcome.FAILED
