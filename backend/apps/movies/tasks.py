"""Celery tasks of the catalog: thin wrappers that take TMDb ids and call the domain."""

from celery import shared_task

from . import admin_actions


@shared_task(name="movies.resync_movies", acks_late=True)
def resync_movies(tmdb_ids: list[int]) -> dict[str, int]:
    """Resyncs these movies from TMDb one by one; returns {"succeeded": n, "failed": n}."""
    return admin_actions.resync_movies([int(tmdb_id) for tmdb_id in tmdb_ids]).as_counts()
