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
    """Idempotent bulk upsert of the demo genres, movies, genre links and relations by TMDb id."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    result = DemoLoadResult()
    genres = _upsert_genres(payload["genres"])
    result.genres = len(genres)
    known = set(
        Movie.objects.filter(tmdb_id__in=[m["tmdb_id"] for m in payload["movies"]]).values_list(
            "tmdb_id", flat=True
        )
    )
    result.movies_created = sum(item["tmdb_id"] not in known for item in payload["movies"])
    result.movies_updated = len(payload["movies"]) - result.movies_created
    rows = [Movie(tmdb_id=item["tmdb_id"], **_movie_defaults(item)) for item in payload["movies"]]
    fields = [*_MOVIE_FIELDS, "original_title", "release_date", "sync_status", "is_active", "updated_at"]
    Movie.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["tmdb_id"], update_fields=sorted(set(fields))
    )
    movies = dict(
        Movie.objects.filter(tmdb_id__in=[m["tmdb_id"] for m in payload["movies"]]).values_list(
            "tmdb_id", "pk"
        )
    )
    MovieGenre.objects.bulk_create(
        [
            MovieGenre(movie_id=movies[item["tmdb_id"]], genre_id=genres[genre_id], is_primary=position == 0)
            for item in payload["movies"]
            for position, genre_id in enumerate(item.get("genre_ids", []))
        ],
        update_conflicts=True,
        unique_fields=["movie", "genre"],
        update_fields=["is_primary"],
    )
    relations = [
        MovieRecommendation(
            source_movie_id=movies[item["tmdb_id"]],
            recommended_movie_id=movies[target_id],
            recommendation_type=kind,
            score=round(1 - rank / max(len(item.get(key, [])), 1), 4),
        )
        for item in payload["movies"]
        for kind, key in _RELATION_KEYS.items()
        for rank, target_id in enumerate(item.get(key, []))
    ]
    MovieRecommendation.objects.bulk_create(
        relations,
        update_conflicts=True,
        unique_fields=["source_movie", "recommended_movie", "recommendation_type"],
        update_fields=["score", "updated_at"],
    )
    result.relations = len(relations)
    return result


def _upsert_genres(items: list[dict]) -> dict[int, int]:
    Genre.objects.bulk_create(
        [Genre(tmdb_id=item["tmdb_id"], name=item["name"], slug=slugify(item["name"])) for item in items],
        update_conflicts=True,
        unique_fields=["tmdb_id"],
        update_fields=["name", "slug"],
    )
    return dict(Genre.objects.filter(tmdb_id__in=[g["tmdb_id"] for g in items]).values_list("tmdb_id", "pk"))
