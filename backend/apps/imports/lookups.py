"""An import's TMDb searches: run ahead in threads, evenly paced under the shared rate, each asked once.

The threads only talk to TMDb (through the shared client and its process-shared rate limiter,
paced like the sync jobs by `Pacer`, at IMPORT_RATE_SHARE of the rate); nothing here touches the database. The runner decides the
matches and stores the matched movies through the catalog writer, in batches.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings

from apps.movies.services.movies import upstream_unavailable
from apps.movies.sync.fetching import MAX_UPSTREAM_WAIT, Pacer
from core.services.tmdb import Policy
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import (
    TMDbBadRequest,
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbRateLimited,
    TMDbUnauthorized,
    TMDbUnavailable,
)

from .matching import TitleQuery, TitleResults, search_titles


def import_rate() -> float:
    """Requests/s one import paces its searches at: IMPORT_RATE_SHARE of the shared TMDB_RATE_LIMIT,
    so interactive reads still find tokens in the shared bucket while an import runs, and the small
    bunching of threads that wake late stays under TMDb's per-second limit."""
    return float(settings.TMDB_RATE_LIMIT) * float(settings.IMPORT_RATE_SHARE)


class Searches:
    """TMDb's first search page per (title, year), asked once per import whichever thread asks
    first; the others wait for that answer. A failed search is forgotten (a later row asks again)."""

    def __init__(self, *, tmdb, pacer: Pacer | None = None):
        self.tmdb = tmdb
        self.pacer = pacer
        self.lock = threading.Lock()
        self.answers: dict[tuple, Future] = {}

    def search(self, title: str, year: int | None) -> list[dict]:
        key = (title.strip().lower(), year)
        with self.lock:
            answer = self.answers.get(key)
            asking = answer is None
            if asking:
                answer = self.answers[key] = Future()
        if asking:
            try:
                answer.set_result(self._ask(title.strip(), year))
            except BaseException as exc:  # noqa: BLE001 - handed to every thread waiting for it
                with self.lock:
                    del self.answers[key]
                answer.set_exception(exc)
        return answer.result()

    def _ask(self, query: str, year: int | None) -> list[dict]:
        """One search, upstream (an outage is an error to retry, never a wrong "not found"); a
        search still rate limited after the client's own retries waits as TMDb asks, then again."""
        for attempt in range(settings.SYNC_RATE_LIMIT_RETRIES + 1):
            if self.pacer is not None:
                self.pacer.wait()
            try:
                return parse.page_results(self.tmdb.search(query=query, year=year, policy=Policy.BATCH))
            except TMDbNotFound:
                return []
            except TMDbRateLimited as exc:
                if attempt >= settings.SYNC_RATE_LIMIT_RETRIES:
                    raise upstream_unavailable(exc) from exc
                time.sleep(min(MAX_UPSTREAM_WAIT, exc.retry_after or 1.0 + attempt))
            except (TMDbUnavailable, TMDbUnauthorized, TMDbNotConfigured, TMDbBadRequest) as exc:
                raise upstream_unavailable(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover


class TitleLookups:
    """The title searches of one import run, in `concurrency` threads; `submit` early, `result` later."""

    def __init__(self, *, tmdb, concurrency: int | None = None, paced: bool = True):
        rate = import_rate()
        self.searches = Searches(tmdb=tmdb, pacer=Pacer(rate) if paced and rate > 0 else None)
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, concurrency or settings.IMPORT_CONCURRENCY), thread_name_prefix="import-search"
        )
        self.pending: dict[TitleQuery, Future] = {}

    def submit(self, query: TitleQuery) -> Future:
        """The searches for `query`, started in a thread (once per distinct query)."""
        known = self.pending.get(query)
        if known is None or (known.done() and known.exception() is not None):  # a failure is asked again
            self.pending[query] = self.pool.submit(search_titles, query, self.searches.search)
        return self.pending[query]

    def now(self, query: TitleQuery) -> TitleResults:
        """The searches for `query`, in this thread (an id row falling back to its title)."""
        return search_titles(query, self.searches.search)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
