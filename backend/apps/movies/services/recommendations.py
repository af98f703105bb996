"""RecommendationService: TMDb recommendations/similar stored as MovieRecommendation rows, read back locally."""

from __future__ import annotations

import logging

from django.db.models import F, QuerySet

from core.services.tmdb import TMDbClient, get_client
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import TMDbError

from ..models import Movie, RecommendationType
from .audience import Audience, MoviePage
from .writer import CatalogWriter

logger = logging.getLogger(__name__)


class RecommendationService:
    def __init__(self, *, tmdb: TMDbClient | None = None, movies=None):
        self.tmdb = tmdb or get_client()
        if movies is None:
            from .movies import MovieService

            movies = MovieService(tmdb=self.tmdb)
        self.movies = movies

    def get_related_page(
        self,
        *,
        tmdb_id: int,
        relation_type: str,
        page: int = 1,
        page_size: int = 20,
        audience: Audience | None = None,
    ) -> MoviePage:
        """Stored relations, best first. Only when none are stored is the source movie looked up
        (404/503 as for details) and TMDb's list fetched once; so the usual read is 3 queries."""
        audience = audience or Audience()
        result = self.movies.local_page(
            self.related_to(tmdb_id, relation_type), page=page, page_size=page_size, audience=audience
        )
        if result.total_results:
            return result
        movie = self.movies.get_movie(tmdb_id=tmdb_id)  # may fetch (and store relations with) the movie
        if self._needs_fetch(movie, relation_type):
            self.sync_related(movie=movie, relation_type=relation_type)
        return self.movies.local_page(
            self.related_to(tmdb_id, relation_type), page=page, page_size=page_size, audience=audience
        )

    def related_movies(self, *, movie: Movie, relation_type: str) -> QuerySet:
        """Related movies best first; fetched from TMDb once (when credentials exist), then read locally."""
        if self._needs_fetch(movie, relation_type):
            self.sync_related(movie=movie, relation_type=relation_type)
        return self.related_to(movie.tmdb_id, relation_type)

    @staticmethod
    def related_to(source_tmdb_id: int, relation_type: str) -> QuerySet:
        # One filter() call, so the three conditions share one join; the annotation reuses it.
        return (
            Movie.objects.active()
            .filter(
                incoming_recommendations__source_movie__tmdb_id=source_tmdb_id,
                incoming_recommendations__source_movie__is_active=True,
                incoming_recommendations__recommendation_type=relation_type,
            )
            .annotate(relation_score=F("incoming_recommendations__score"))
            .order_by("-relation_score", "tmdb_id")
        )

    def sync_related(self, *, movie: Movie, relation_type: str) -> int:
        """Fetch page 1 of TMDb's list and replace the stored rows; TMDb failures keep what is stored."""
        fetch = (
            self.tmdb.recommendations
            if relation_type == RecommendationType.RECOMMENDATION
            else self.tmdb.similar
        )
        try:
            payload = fetch(movie.tmdb_id)
        except TMDbError as exc:
            logger.warning(
                "TMDb %s for %s failed, serving stored rows: %s", relation_type, movie.tmdb_id, exc
            )
            return 0
        writer = getattr(self.movies, "writer", None) or CatalogWriter.for_client(self.tmdb)
        return writer.store_relations(
            tmdb_id=movie.tmdb_id, relation_type=relation_type, results=parse.page_results(payload)
        )

    def _needs_fetch(self, movie: Movie, relation_type: str) -> bool:
        synced = (movie.metadata or {}).get("related_synced_at") or {}
        return self.tmdb.configured and relation_type not in synced
