"""GenreService: sync TMDb's genre list, list genres, resolve a genre by TMDb id."""

from __future__ import annotations

import logging

from django.conf import settings

from core import cache
from core.cache import keys
from core.cache.ttl import TTL
from core.exceptions import NotFound, UpstreamUnavailable
from core.services.tmdb import TMDbClient, get_client
from core.services.tmdb.errors import TMDbError

from ..models import Genre
from .writer import CatalogWriter

logger = logging.getLogger(__name__)


class GenreService:
    def __init__(self, *, tmdb: TMDbClient | None = None):
        self.tmdb = tmdb or get_client()

    def sync_genres(self, *, language: str | None = None) -> int:
        """Upsert TMDb's movie genres by tmdb_id; returns how many TMDb lists."""
        try:
            payload = self.tmdb.genres(language=language or settings.TMDB_DEFAULT_LANGUAGE)
        except TMDbError as exc:
            raise UpstreamUnavailable(retry_after=int(exc.retry_after) if exc.retry_after else None) from exc
        # The writer invalidates everything rendered from the catalog when a genre was renamed.
        return len(CatalogWriter().store_genres(payload.get("genres") or []))

    def ensure_genres(self) -> None:
        """Sync genres at most once per static-data TTL (when credentials exist); never fails a read."""
        if not self.tmdb.configured:
            return
        try:
            cache.get_or_set(
                keys.genres_synced_key(language=settings.TMDB_DEFAULT_LANGUAGE),
                self.sync_genres,
                ttl=TTL.TMDB_STATIC,
            )
        except UpstreamUnavailable:
            logger.info("Genre sync skipped: TMDb unavailable")

    def list_genres(self):
        self.ensure_genres()
        return Genre.objects.active().order_by("name", "tmdb_id")

    def get_genre(self, *, tmdb_id: int) -> Genre:
        if not 1 <= tmdb_id <= 2**31 - 1:
            raise NotFound(f"Genre {tmdb_id} not found.")
        genre = Genre.objects.active().filter(tmdb_id=tmdb_id).first()
        if genre is None:
            raise NotFound(f"Genre {tmdb_id} not found.")
        return genre
