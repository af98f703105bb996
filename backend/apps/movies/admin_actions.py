"""The admin's hooks into catalog work: resync from TMDb and cache invalidation.

Both go through module-level functions (`sync_movie`, `invalidate_movie_caches`) so tests
can swap them for doubles and the merge can point them at the final service helpers.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .services.writer import CatalogWriter

logger = logging.getLogger(__name__)

# How many ids one background resync task carries.
RESYNC_TASK_CHUNK = 100


def sync_movie(tmdb_id: int):
    """Refreshes one movie from TMDb (full details, one upstream call) and returns it."""
    from .services import MovieService

    return MovieService().sync_movie_from_tmdb(tmdb_id=tmdb_id)


def invalidate_movie_caches(tmdb_ids: Iterable[int]) -> None:
    """Drops the cached API responses that show these movies: their details and every list."""
    CatalogWriter.invalidate(tmdb_ids)


@dataclass
class ResyncOutcome:
    succeeded: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    def as_counts(self) -> dict[str, int]:
        return {"succeeded": len(self.succeeded), "failed": len(self.failed)}


def resync_movies(tmdb_ids: Iterable[int], *, sync: Callable[[int], object] | None = None) -> ResyncOutcome:
    """Syncs each movie on its own: one failure is recorded and never stops the others."""
    sync = sync or sync_movie
    outcome = ResyncOutcome()
    for tmdb_id in tmdb_ids:
        try:
            sync(tmdb_id)
        except Exception as exc:  # noqa: BLE001 - any error of one movie is reported, the rest go on
            logger.warning("admin resync of movie %s failed: %s", tmdb_id, exc)
            outcome.failed[tmdb_id] = str(exc) or exc.__class__.__name__
        else:
            outcome.succeeded.append(tmdb_id)
    return outcome  # each resync was invalidated by the catalog writer after its commit
