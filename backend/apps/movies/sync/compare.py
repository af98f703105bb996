"""Does a TMDb details payload change what is stored? Compared before saving, so reruns write nothing."""

from __future__ import annotations

from core.mixins.models import SyncStatus
from core.services.tmdb import movies as parse

from ..models import Movie, MovieGenre, MovieRecommendation, RecommendationType

RELATION_KEYS = {
    "recommendations": RecommendationType.RECOMMENDATION,
    "similar": RecommendationType.SIMILAR,
}


def needs_write(movie: Movie, payload: dict) -> bool:
    """True when storing `payload` would change the row, its genres, its relations or its bookkeeping."""
    return (
        _bookkeeping_differs(movie)
        or _fields_differ(movie, payload)
        or _metadata_differs(movie, payload)
        or _genres_differ(movie, payload)
        or _relations_differ(movie, payload)
    )


def _bookkeeping_differs(movie: Movie) -> bool:
    return (
        movie.sync_status != SyncStatus.COMPLETE
        or not movie.is_active
        or bool(movie.sync_retries)
        or bool(movie.last_sync_error)
        or movie.next_sync_attempt_at is not None
        or movie.last_synced_at is None
    )


def _fields_differ(movie: Movie, payload: dict) -> bool:
    return any(getattr(movie, name) != value for name, value in parse.detail_fields(payload).items())


def _metadata_differs(movie: Movie, payload: dict) -> bool:
    stored = movie.metadata or {}
    return any(stored.get(key) != value for key, value in parse.detail_metadata(payload).items())


def _genres_differ(movie: Movie, payload: dict) -> bool:
    wanted = [(item["id"], item["name"][:100]) for item in parse.genre_items(payload)]
    stored = list(
        MovieGenre.objects.filter(movie=movie)
        .order_by("-is_primary", "id")
        .values_list("genre__tmdb_id", "genre__name")
    )
    if not wanted:
        return bool(stored)
    return stored[:1] != wanted[:1] or sorted(stored) != sorted(set(wanted))


def _relations_differ(movie: Movie, payload: dict) -> bool:
    for key, relation_type in RELATION_KEYS.items():
        if not isinstance(payload.get(key), dict):
            continue
        wanted = _unique_ids(parse.page_results(payload[key]), exclude=movie.tmdb_id)
        stored = list(
            MovieRecommendation.objects.filter(source_movie=movie, recommendation_type=relation_type)
            .order_by("-score", "id")
            .values_list("recommended_movie__tmdb_id", flat=True)
        )
        if stored != wanted:
            return True
    return False


def _unique_ids(results: list[dict], *, exclude: int) -> list[int]:
    seen: list[int] = []
    for item in results:
        if item["id"] != exclude and item["id"] not in seen:
            seen.append(item["id"])
    return seen
