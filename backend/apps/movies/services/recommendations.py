"""RecommendationService: TMDb recommendations/similar stored as MovieRecommendation rows, read back locally."""

from __future__ import annotations

import logging

from django.db.models import FilteredRelation, Q, QuerySet

from core.services.tmdb import TMDbClient, get_client
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import TMDbError

from ..models import Movie, RecommendationType
from . import storage

logger = logging.getLogger(__name__)


class RecommendationService:
    def __init__(self, *, tmdb: TMDbClient | None = None):
        self.tmdb = tmdb or get_client()

    def related_movies(self, *, movie: Movie, relation_type: str) -> QuerySet:
        """Related movies best first; fetched from TMDb once (when credentials exist), then read locally."""
        if self._needs_fetch(movie, relation_type):
            self.sync_related(movie=movie, relation_type=relation_type)
        return (
            Movie.objects.active()
            .annotate(
                relation=FilteredRelation(
                    "incoming_recommendations",
                    condition=Q(
                        incoming_recommendations__source_movie=movie,
                        incoming_recommendations__recommendation_type=relation_type,
                    ),
                )
            )
            .filter(relation__isnull=False)
            .order_by("-relation__score", "tmdb_id")
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
        return storage.store_relations(movie, relation_type, parse.page_results(payload))

    def _needs_fetch(self, movie: Movie, relation_type: str) -> bool:
        synced = (movie.metadata or {}).get("related_synced_at") or {}
        return self.tmdb.configured and relation_type not in synced
