"""Reads of the local catalog: orderings, filter querysets (browse, discover) and one page of them."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Movie
from .audience import SOURCE_LOCAL, Audience, MoviePage

LOCAL_ORDERINGS = {
    "popularity": ("popularity", "tmdb_id"),
    "-popularity": ("-popularity", "tmdb_id"),
    "vote_average": ("vote_average", "tmdb_id"),
    "-vote_average": ("-vote_average", "-vote_count", "tmdb_id"),
    "vote_count": ("vote_count", "tmdb_id"),
    "-vote_count": ("-vote_count", "tmdb_id"),
    "release_date": ("release_date", "tmdb_id"),
    "-release_date": ("-release_date", "tmdb_id"),
    "title": ("title", "tmdb_id"),
    "-title": ("-title", "tmdb_id"),
}
# TMDb discover sort_by → the local ordering used when serving discover from the catalog.
DISCOVER_SORTS = {
    "popularity.desc": "-popularity",
    "popularity.asc": "popularity",
    "vote_average.desc": "-vote_average",
    "vote_average.asc": "vote_average",
    "vote_count.desc": "-vote_count",
    "vote_count.asc": "vote_count",
    "primary_release_date.desc": "-release_date",
    "primary_release_date.asc": "release_date",
    "title.asc": "title",
    "title.desc": "-title",
}


def popular() -> QuerySet:
    return Movie.objects.popular_movies()


def top_rated() -> QuerySet:
    return Movie.objects.top_rated(settings.CATALOG_TOP_RATED_MIN_VOTES)


def now_playing() -> QuerySet:
    """Released within the last CATALOG_NOW_PLAYING_DAYS days, most popular first."""
    today = timezone.localdate()
    since = today - timedelta(days=settings.CATALOG_NOW_PLAYING_DAYS)
    return Movie.objects.active().released_between(since, today).order_by("-popularity", "tmdb_id")


def upcoming() -> QuerySet:
    """Released after today, soonest first."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return Movie.objects.active().released_between(tomorrow, None).order_by("release_date", "tmdb_id")


def local_page(queryset, *, page: int, page_size: int, audience: Audience) -> MoviePage:
    """A page of the local catalog: one COUNT, one SELECT, one genre prefetch."""
    queryset = queryset.for_audience(include_adult=audience.include_adult)
    total = queryset.count()
    offset = (page - 1) * page_size
    movies = (
        list(queryset.with_genres().with_user_flags(audience.user)[offset : offset + page_size])
        if offset < total
        else []
    )
    return MoviePage(
        movies=movies,
        page=page,
        page_size=page_size,
        total_pages=math.ceil(total / page_size) if total else 0,
        total_results=total,
        source=SOURCE_LOCAL,
    )


def catalog_queryset(filters: dict) -> QuerySet:
    """q (ranked search), genre ids (all must match), year range, rating, votes, language, ordering."""
    queryset = Movie.objects.active()
    if filters.get("q"):
        queryset = queryset.search(filters["q"])
    queryset = queryset.with_all_genres(filters.get("genre") or [])
    if filters.get("year_from"):
        queryset = queryset.filter(release_date__year__gte=filters["year_from"])
    if filters.get("year_to"):
        queryset = queryset.filter(release_date__year__lte=filters["year_to"])
    if filters.get("min_rating") is not None:
        queryset = queryset.filter(vote_average__gte=filters["min_rating"])
    if filters.get("min_votes") is not None:
        queryset = queryset.filter(vote_count__gte=filters["min_votes"])
    if filters.get("original_language"):
        queryset = queryset.filter(original_language=filters["original_language"])
    if filters.get("ordering") or not filters.get("q"):
        queryset = queryset.order_by(*LOCAL_ORDERINGS[filters.get("ordering") or "-popularity"])
    return queryset


def local_discover(filters: dict) -> QuerySet:
    """The local equivalent of TMDb discover for the filters this API accepts."""
    queryset = Movie.objects.active()
    if filters.get("with_genres"):
        queryset = queryset.with_all_genres(
            int(genre_id) for genre_id in str(filters["with_genres"]).split(",")
        )
    if filters.get("primary_release_year"):
        queryset = queryset.filter(release_date__year=filters["primary_release_year"])
    queryset = queryset.released_between(
        filters.get("primary_release_date.gte"), filters.get("primary_release_date.lte")
    )
    if filters.get("vote_average.gte") is not None:
        queryset = queryset.filter(vote_average__gte=filters["vote_average.gte"])
    if filters.get("vote_count.gte") is not None:
        queryset = queryset.filter(vote_count__gte=filters["vote_count.gte"])
    if filters.get("with_original_language"):
        queryset = queryset.filter(original_language=filters["with_original_language"])
    ordering = DISCOVER_SORTS.get(filters.get("sort_by") or "popularity.desc", "-popularity")
    return queryset.order_by(*LOCAL_ORDERINGS[ordering])
