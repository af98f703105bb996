"""The bench catalog: thousands of movies generated from the demo catalog's shapes (idempotent)."""

import json
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apps.movies.demo import DEMO_CATALOG_PATH, load_demo_catalog
from apps.movies.models import Genre, Movie, MovieGenre
from core.mixins.models import SyncStatus

FIRST_ID = 2_000_000  # generated ids never collide with real TMDb ids of the demo catalog
ROMAN = ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "Returns", "Reloaded", "Origins"]


def generated_ids(count: int) -> list[int]:
    return [FIRST_ID + index for index in range(count)]


@transaction.atomic
def load(count: int) -> dict:
    """The demo catalog plus `count` generated movies; returns what the database holds."""
    load_demo_catalog()
    generated = Movie.objects.filter(tmdb_id__gte=FIRST_ID)
    if generated.count() != count or generated.exclude(sync_status=SyncStatus.COMPLETE).exists():
        _generate(count)
    return {
        "movies": Movie.objects.count(),
        "generated": Movie.objects.filter(tmdb_id__gte=FIRST_ID).count(),
        "genres": Genre.objects.count(),
        "genre_links": MovieGenre.objects.count(),
    }


def _generate(count: int) -> None:
    Movie.objects.filter(tmdb_id__gte=FIRST_ID).delete()
    shapes = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))["movies"]
    genres = {genre.tmdb_id: genre for genre in Genre.objects.all()}
    rng = random.Random(42)  # noqa: S311 - reproducible data, not crypto
    movies, links = [], []
    for index, tmdb_id in enumerate(generated_ids(count)):
        shape = shapes[index % len(shapes)]
        movies.append(_movie(tmdb_id, index, shape, rng))
    Movie.objects.bulk_create(movies, batch_size=1000)
    by_id = dict(Movie.objects.filter(tmdb_id__gte=FIRST_ID).values_list("tmdb_id", "id"))
    for index, tmdb_id in enumerate(generated_ids(count)):
        shape = shapes[index % len(shapes)]
        for position, genre_id in enumerate(shape.get("genre_ids", [])):
            links.append(
                MovieGenre(movie_id=by_id[tmdb_id], genre=genres[genre_id], is_primary=position == 0)
            )
    MovieGenre.objects.bulk_create(links, batch_size=2000)


def _movie(tmdb_id: int, index: int, shape: dict, rng: random.Random) -> Movie:
    sequel = ROMAN[(index // 114) % len(ROMAN)]
    released = date.fromisoformat(shape["release_date"]) if shape.get("release_date") else date(2000, 1, 1)
    return Movie(
        tmdb_id=tmdb_id,
        title=f"{shape['title']} {sequel} #{index}",
        original_title=shape.get("original_title") or shape["title"],
        original_language=shape.get("original_language") or "en",
        overview=f"Generated for the benchmark from the shape of {shape['title']}. " * 4,
        tagline="A benchmark sequel.",
        runtime=shape.get("runtime") or 100,
        status=shape.get("status") or "Released",
        adult=False,
        popularity=round(1000.0 / (1 + index) + rng.random(), 3),
        vote_average=round(min(10.0, max(0.0, (shape.get("vote_average") or 6) + rng.uniform(-1, 1))), 1),
        vote_count=int((shape.get("vote_count") or 100) * rng.random()),
        release_date=released + timedelta(days=rng.randint(-3000, 3000)),
        budget=shape.get("budget") or 0,
        revenue=shape.get("revenue") or 0,
        poster_path=f"/bench{tmdb_id}.jpg",
        backdrop_path=f"/bench{tmdb_id}-b.jpg",
        imdb_id="",
        # A mirrored catalog holds full details (sync_movies stores them), so reading a generated
        # movie never asks TMDb, which does not know these ids.
        sync_status=SyncStatus.COMPLETE,
        last_synced_at=timezone.now(),
    )
