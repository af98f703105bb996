"""Aggregates over one user's watched history: count per year, average rating, top genres."""

from django.db.models import Avg, Count, Q
from django.db.models.functions import ExtractYear

from apps.movies.models import MovieGenre

from .models import Viewing

TOP_GENRES = 5


def compute_history_stats(user) -> dict:
    """Plain, cacheable data; four aggregate queries whatever the history's size."""
    viewings = Viewing.objects.of(user).visible()
    totals = viewings.aggregate(
        count=Count("id"),
        movie_count=Count("movie_id", distinct=True),
        rated_count=Count("rating"),
        rewatch_count=Count("id", filter=Q(rewatch=True)),
        average_rating=Avg("rating"),
    )
    average = totals["average_rating"]
    return {
        "count": totals["count"],
        "movie_count": totals["movie_count"],
        "rated_count": totals["rated_count"],
        "rewatch_count": totals["rewatch_count"],
        "average_rating": round(float(average), 2) if average is not None else None,
        "by_year": _by_year(viewings),
        "top_genres": _top_genres(viewings),
    }


def _by_year(viewings) -> list[dict]:
    """Years watched, oldest first, each with its count and its own average rating."""
    rows = (
        viewings.annotate(year=ExtractYear("watched_on"))
        .values("year")
        .annotate(n=Count("id"), avg=Avg("rating"))
        .order_by("year")
    )
    return [
        {
            "year": row["year"],
            "count": row["n"],
            "average_rating": round(float(row["avg"]), 2) if row["avg"] is not None else None,
        }
        for row in rows
    ]


def _top_genres(viewings) -> list[dict]:
    """Genres of the movies watched (each movie once, however often it was watched)."""
    rows = (
        MovieGenre.objects.filter(movie_id__in=viewings.values("movie_id"))
        .values("genre__tmdb_id", "genre__name")
        .annotate(n=Count("movie_id", distinct=True))
        .order_by("-n", "genre__name")[:TOP_GENRES]
    )
    return [{"id": row["genre__tmdb_id"], "name": row["genre__name"], "count": row["n"]} for row in rows]
