"""SyncRun: what every sync command and task shares — lock, TMDb client, counters, progress, exit status."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TextIO

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from core.services.tmdb import TMDbClient
from core.services.tmdb.errors import TMDbNotConfigured, TMDbUnauthorized

from .locks import JobLock, LockHeld, LockLost
from .progress import Progress
from .summary import Outcome, SyncSummary

logger = logging.getLogger("apps.movies.sync")


class CouldNotRun(Exception):
    """The job cannot run at all (exit status 2): configuration, credentials, database."""


class Aborted(Exception):
    """The job stopped early (exit status 1): TMDb kept failing; the rest is left for the next run."""


class Terminated(Exception):
    """The process was asked to stop (SIGTERM from cron, systemd or docker stop): exit 1."""


class SyncRun:
    """One execution of a sync job. `SyncRun(job="sync_changes").execute(work)` → SyncSummary."""

    def __init__(
        self,
        *,
        job: str,
        lock_name: str | None = None,
        dry_run: bool = False,
        tmdb: TMDbClient | None = None,
        progress: Progress | None = None,
        err: TextIO | None = None,
        require_tmdb: bool = True,
        concurrency: int | None = None,
    ):
        self.job = job
        self.lock_name = lock_name or job
        # Where the outcome of the last run is kept (movies_sync_state): per list for sync_movies,
        # per job for the rest (sync_movie's lock is per id set, its state is not).
        self.state_name = self.lock_name if self.lock_name.startswith("sync_movies:") else job
        self.dry_run = dry_run
        # A client of its own so the upstream counters are this run's; the rate limiter stays shared.
        self.tmdb = tmdb or TMDbClient()
        self.progress = progress or Progress(None)
        self.err = err
        self.require_tmdb = require_tmdb
        self.concurrency = max(1, concurrency or settings.SYNC_CONCURRENCY)
        self.summary = SyncSummary()
        self.lock: JobLock | None = None
        self._lock_error: Exception | None = None
        self._stats_start = dict(self.tmdb.stats)

    # --- reporting -------------------------------------------------------------------------
    def note(self, message: str) -> None:
        """A line for the operator (stderr of a command, the log of a task)."""
        self.summary.messages.append(message)
        logger.info("%s: %s", self.job, message)
        if self.err is not None:
            self.progress.close()
            self.err.write(message + "\n")

    def upstream_failed(self, message: str) -> None:
        """A list or page could not be fetched: counted as a failure, and a task may retry the job."""
        self.summary.count(Outcome.FAILED)
        self.summary.retryable = True
        self.note(message)

    def renew_lock(self) -> None:
        if self.lock is not None:
            self.lock.renew()

    # --- execution -------------------------------------------------------------------------
    def execute(self, work: Callable[[SyncRun], None]) -> SyncSummary:
        try:
            self._check_configured()
            with self._locked():
                work(self)
        except LockHeld as exc:
            self._lock_error = exc
            self._cannot_run(str(exc))
        except CouldNotRun as exc:
            self._cannot_run(str(exc))
        except TMDbNotConfigured:
            self._cannot_run(_NO_CREDENTIALS)
        except TMDbUnauthorized as exc:
            self._cannot_run(f"TMDb refused the credentials ({exc}); nothing more was tried.")
        except (OperationalError, InterfaceError) as exc:
            self._cannot_run(f"The database is unavailable: {exc}".strip())
            self.summary.retryable = True
        except Aborted as exc:
            self.summary.error = str(exc)
            self.summary.retryable = True
            self.note(str(exc))
        except (LockLost, Terminated) as exc:
            self.summary.error = str(exc)
            self.note(str(exc))
        except Exception as exc:
            # A bug must not cost the summary line; what was stored stays stored (one transaction each).
            logger.exception("%s crashed", self.job)
            self.summary.error = f"{self.job} stopped on an unexpected error: {type(exc).__name__}: {exc}"
            self.note(self.summary.error)
        finally:
            self.progress.close()
            self._collect_stats()
            self.summary.finish()
            self._remember()
        return self.summary

    def _check_configured(self) -> None:
        if self.require_tmdb and not self.tmdb.configured:
            raise CouldNotRun(_NO_CREDENTIALS)

    @contextlib.contextmanager
    def _locked(self):
        """The job's lock; a dry run writes nothing, so it takes none."""
        if self.dry_run:
            yield
            return
        lock = JobLock(self.lock_name, ttl=settings.SYNC_LOCK_TTL)
        lock.acquire()
        self.lock = lock
        try:
            yield
        finally:
            self.lock = None
            with contextlib.suppress(DatabaseError):
                lock.release()

    def _remember(self) -> None:
        """Keep the last run's summary line and times for operators (admin, metrics); never fails a run."""
        if self.dry_run or isinstance(self._lock_error, LockHeld):
            return
        from .models import SyncState

        finished = timezone.now()
        with contextlib.suppress(DatabaseError):
            SyncState.objects.update_or_create(
                name=self.state_name[:100],
                defaults={
                    "last_run_started_at": finished - timedelta(seconds=self.summary.seconds),
                    "last_run_finished_at": finished,
                    "last_summary": f"exit={self.summary.exit_code} {self.summary.line()}"[:300],
                },
            )

    def _cannot_run(self, message: str) -> None:
        self.summary.could_not_run = True
        self.summary.error = message
        self.note(message)

    def _collect_stats(self) -> None:
        stats = self.tmdb.stats
        self.summary.upstream_calls = stats.get("attempts", 0) - self._stats_start.get("attempts", 0)
        self.summary.rate_limited = stats.get("rate_limited", 0) - self._stats_start.get("rate_limited", 0)


_NO_CREDENTIALS = "No TMDb credentials: set TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN."
