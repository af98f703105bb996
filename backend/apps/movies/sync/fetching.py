"""Fetching movie details for a sync: one upstream call each, evenly paced, 429s waited out."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from core.services.tmdb import Policy, TMDbClient
from core.services.tmdb.errors import TMDbError, TMDbRateLimited

MAX_UPSTREAM_WAIT = 30.0


@dataclass
class Fetched:
    tmdb_id: int
    payload: dict | None = None
    error: TMDbError | None = None


class Pacer:
    """Spaces this process's batch requests evenly at the client's rate.

    The shared token bucket lets a full bucket go out at once (a burst of one second's worth),
    which is right for interactive reads but makes a long batch overshoot a per-second window
    whenever it resumes after a pause. A batch job asks for evenly spaced slots instead; the
    shared bucket still bounds all processes together.
    """

    # A slot missed while the process was busy is not made up later: even a catch-up of 1-2 slots
    # let eight threads bunch their requests past TMDb's 40-in-any-second window at 38-39/s, and
    # each 429 is retried (an extra call, a second of waiting). make bench-sync measured 0 429s
    # at 38.5/s without catch-up.
    CATCH_UP = 0

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_slot = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now - self.CATCH_UP * self.interval, self.next_slot)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)
        # else: a late slot, used at once


def fetch_details(tmdb: TMDbClient, tmdb_id: int, pacer: Pacer | None = None) -> Fetched:
    """The full details (append_to_response); a movie still rate limited after the client's own
    retries waits as TMDb asks and is tried again, so a busy TMDb slows a run instead of failing it."""
    for attempt in range(settings.SYNC_RATE_LIMIT_RETRIES + 1):
        if pacer is not None:
            pacer.wait()
        try:
            return Fetched(tmdb_id, payload=_get_details(tmdb, tmdb_id))
        except TMDbRateLimited as exc:
            if attempt >= settings.SYNC_RATE_LIMIT_RETRIES:
                return Fetched(tmdb_id, error=exc)
            time.sleep(min(MAX_UPSTREAM_WAIT, exc.retry_after or 1.0 + attempt))
        except TMDbError as exc:
            return Fetched(tmdb_id, error=exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _get_details(tmdb: TMDbClient, tmdb_id: int) -> dict:
    """GET /movie/{id} (append_to_response) straight from TMDb, no cache, no fail-fast cooldown."""
    return tmdb.movie_details(tmdb_id, policy=Policy.BATCH)
