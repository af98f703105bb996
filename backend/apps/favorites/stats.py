"""Aggregates over one user's favorites: count, ratings, top genres, decades, total runtime."""

from collections import Counter

from django.db.models import Avg, Count, Sum
from django.db.models.functions import ExtractYear

from apps.movies.models import MovieGenre

from .models import Favorite, WatchlistItem

TOP_GENRES = 5
RATINGS = range(1, 11)


def compute_favorite_stats(user) -> dict:
    """Plain, cacheable data; five aggregate queries whatever the collection's size."""
    favorites = Favorite.objects.of(user).visible()
    totals = favorites.aggregate(
        count=Count("id"),
        rated_count=Count("user_rating"),
        average_rating=Avg("user_rating"),
        total_runtime=Sum("movie__runtime"),
    )
    average = totals["average_rating"]
    return {
        "count": totals["count"],
        "rated_count": totals["rated_count"],
        "average_rating": round(float(average), 2) if average is not None else None,
        "rating_histogram": _rating_histogram(favorites),
        "top_genres": _top_genres(favorites),
        "by_decade": _by_decade(favorites),
        "total_runtime_minutes": totals["total_runtime"] or 0,
        "watchlist_count": WatchlistItem.objects.of(user).visible().count(),
    }


def _rating_histogram(favorites) -> list[dict]:
    """One bucket per rating 1-10, empty ones included, so charts need no gap filling."""
    rows = (
        favorites.filter(user_rating__isnull=False).values("user_rating").annotate(n=Count("id")).order_by()
    )
    counts = {row["user_rating"]: row["n"] for row in rows}
    return [{"rating": rating, "count": counts.get(rating, 0)} for rating in RATINGS]


def _top_genres(favorites) -> list[dict]:
    rows = (
        MovieGenre.objects.filter(movie_id__in=favorites.values("movie_id"))
        .values("genre__tmdb_id", "genre__name")
        .annotate(n=Count("id"))
        .order_by("-n", "genre__name")[:TOP_GENRES]
    )
    return [{"id": row["genre__tmdb_id"], "name": row["genre__name"], "count": row["n"]} for row in rows]


def _by_decade(favorites) -> list[dict]:
    """Decades in order; movies without a release date are counted under `decade: null`, last."""
    rows = (
        favorites.annotate(year=ExtractYear("movie__release_date"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    decades: Counter = Counter()
    for row in rows:
        decades[row["year"] // 10 * 10 if row["year"] is not None else None] += row["n"]
    ordered = sorted(decades.items(), key=lambda item: (item[0] is None, item[0] or 0))
    return [{"decade": decade, "count": count} for decade, count in ordered]
