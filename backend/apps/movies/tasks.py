"""Celery tasks of the catalog: thin wrappers that take primitive ids and run the same jobs as cron."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction

from .sync import jobs
from .sync.runner import SyncRun

logger = logging.getLogger("apps.movies.sync")

# Retries of a whole job: exponential back-off with full jitter, 30 s doubling up to 5 min. A worker
# holds a message unacked through its countdown, so the cap stays well inside the Redis broker's
# visibility timeout (settings CELERY_BROKER_TRANSPORT_OPTIONS) and RabbitMQ's consumer timeout.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 5 * 60
MAX_RETRIES = 5
# Eager Celery (no broker: local runs, the admin without a worker) runs tasks inside the caller;
# retrying there would only make the caller wait. Failures stay recorded on the rows instead.
RETRY_WHEN_EAGER = False
# Every sync job is idempotent, so a redelivery after a worker died is harmless: ack late.
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": MAX_RETRIES}


def _run(task, job: str, work: Callable[[SyncRun], None], *, lock_name: str | None = None) -> dict:
    summary = SyncRun(job=job, lock_name=lock_name).execute(work)
    logger.info("%s %s", job, summary.line())
    result = summary.as_dict()
    if summary.retryable and _may_retry(task):
        raise task.retry(countdown=_backoff(task))
    return result


def _may_retry(task) -> bool:
    return task.request.retries < task.max_retries and (RETRY_WHEN_EAGER or not task.request.is_eager)


def _backoff(task) -> int:
    """Exponential back-off with full jitter: uniform in [0, min(max, base · 2^retries)]."""
    return get_exponential_backoff_interval(
        RETRY_BACKOFF, task.request.retries, RETRY_BACKOFF_MAX, full_jitter=True
    )


@shared_task(name="movies.sync_genres", **TASK_OPTIONS)
def sync_genres(self) -> dict:
    return _run(self, "sync_genres", jobs.sync_genres)


@shared_task(name="movies.sync_movies", **TASK_OPTIONS)
def sync_movies(self, list_name: str, pages: int = 1, window: str = "day") -> dict:
    suffix = f"_{window}" if list_name == "trending" else ""
    return _run(
        self,
        "sync_movies",
        partial(jobs.sync_movies, list_name=list_name, pages=int(pages), window=window),
        lock_name=f"sync_movies:{list_name}{suffix}",
    )


@shared_task(name="movies.sync_changes", **TASK_OPTIONS)
def sync_changes(self, since: str | None = None) -> dict:
    """`since` is an ISO date; without it the job resumes from the stored point."""
    return _run(
        self, "sync_changes", partial(jobs.sync_changes, since=date.fromisoformat(since) if since else None)
    )


@shared_task(name="movies.refresh_stale", **TASK_OPTIONS)
def refresh_stale(self, older_than_days: int | None = None, limit: int = 500) -> dict:
    """`older_than_days` defaults to SYNC_STALE_AFTER_DAYS, the refresh age /metrics measures."""
    days = int(older_than_days) if older_than_days is not None else settings.SYNC_STALE_AFTER_DAYS
    return _run(
        self, "refresh_stale", partial(jobs.refresh_stale, older_than=timedelta(days=days), limit=int(limit))
    )


@shared_task(name="movies.warm_cache", **TASK_OPTIONS)
def warm_cache(self) -> dict:
    from core.services.tmdb import get_client

    summary = SyncRun(job="warm_cache", require_tmdb=False, tmdb=get_client()).execute(jobs.warm_cache)
    logger.info("warm_cache %s", summary.line())
    return summary.as_dict()


@shared_task(name="movies.resync_movies", **TASK_OPTIONS)
def resync_movies(self, tmdb_ids: list[int]) -> dict:
    """Resync these movies (admin, staff endpoint). Failures are recorded on their rows; the movies
    that failed because TMDb was unavailable are retried by this task with back-off and jitter."""
    ids = [int(tmdb_id) for tmdb_id in tmdb_ids]
    run = SyncRun(job="resync_movies", lock_name="resync_movies:" + ",".join(map(str, sorted(ids)))[:180])
    settled: set[int] = set()
    summary = run.execute(partial(_resync, ids=ids, settled=settled))
    logger.info("resync_movies %s", summary.line())
    unsettled = [tmdb_id for tmdb_id in ids if tmdb_id not in settled]
    if unsettled and not summary.could_not_run and _may_retry(self):
        raise self.retry(args=[unsettled], countdown=_backoff(self))
    succeeded = summary.created + summary.updated + summary.unchanged
    # {"succeeded", "failed"} is what the admin shows; a run that could not start failed every id.
    return {**summary.as_dict(), "succeeded": succeeded, "failed": len(ids) - succeeded}


def _resync(run: SyncRun, *, ids: list[int], settled: set[int]) -> None:
    from .sync.movies import MovieSyncer

    syncer = MovieSyncer(run)
    syncer.settled = settled
    syncer.sync_ids(ids)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one), never before."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def enqueue_resync(tmdb_ids: list[int]) -> None:
    enqueue_on_commit(resync_movies, [int(tmdb_id) for tmdb_id in tmdb_ids])
