"""Loads the bundled demo catalog (facts only: ids, titles, dates, figures) into the database."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from core.mixins.models import SyncStatus

from .models import Genre, Movie, MovieGenre, MovieRecommendation, RecommendationType

DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "fixtures" / "demo_catalog.json"

_MOVIE_FIELDS = (
    "title",
    "original_title",
    "original_language",
    "runtime",
    "status",
    "adult",
    "popularity",
    "vote_average",
    "vote_count",
    "budget",
    "revenue",
    "imdb_id",
)


_RELATION_KEYS = {
    RecommendationType.RECOMMENDATION: "recommendations",
    RecommendationType.SIMILAR: "similar",
}


@dataclass
class DemoLoadResult:
    genres: int = 0
    movies_created: int = 0
    movies_updated: int = 0
    relations: int = 0


def _movie_defaults(item: dict) -> dict:
    defaults = {field: item.get(field) for field in _MOVIE_FIELDS}
    defaults["imdb_id"] = defaults["imdb_id"] or ""
    defaults["original_title"] = defaults["original_title"] or item["title"]
    defaults["release_date"] = date.fromisoformat(item["release_date"]) if item.get("release_date") else None
    defaults["sync_status"] = SyncStatus.PARTIAL
    defaults["is_active"] = True
    return defaults


@transaction.atomic
def load_demo_catalog(path: Path = DEMO_CATALOG_PATH) -> DemoLoadResult:
    """Idempotent upsert of the demo genres, movies, genre links and relations by TMDb id."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    result = DemoLoadResult()
    genres = {}
    for item in payload["genres"]:
        genre, _ = Genre.objects.update_or_create(
            tmdb_id=item["tmdb_id"], defaults={"name": item["name"], "slug": slugify(item["name"])}
        )
        genres[genre.tmdb_id] = genre
    result.genres = len(genres)
    movies = {}
    for item in payload["movies"]:
        movie, created = Movie.objects.update_or_create(
            tmdb_id=item["tmdb_id"], defaults=_movie_defaults(item)
        )
        movies[movie.tmdb_id] = movie
        result.movies_created += created
        result.movies_updated += not created
        for position, genre_id in enumerate(item.get("genre_ids", [])):
            MovieGenre.objects.update_or_create(
                movie=movie, genre=genres[genre_id], defaults={"is_primary": position == 0}
            )
    for item in payload["movies"]:
        source = movies[item["tmdb_id"]]
        for kind, key in _RELATION_KEYS.items():
            related = item.get(key, [])
            for rank, target_id in enumerate(related):
                MovieRecommendation.objects.update_or_create(
                    source_movie=source,
                    recommended_movie=movies[target_id],
                    recommendation_type=kind,
                    defaults={"score": round(1 - rank / max(len(related), 1), 4)},
                )
                result.relations += 1
    return result
