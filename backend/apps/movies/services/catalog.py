"""Reads of the local catalog: orderings, filter querysets (browse, discover) and one page of them."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Movie, MovieGenre
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
    "original_title": ("original_title", "tmdb_id"),
    "-original_title": ("-original_title", "tmdb_id"),
    "revenue": ("revenue", "tmdb_id"),
    "-revenue": ("-revenue", "tmdb_id"),
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
    "original_title.asc": "original_title",
    "original_title.desc": "-original_title",
    "revenue.asc": "revenue",
    "revenue.desc": "-revenue",
}
# TMDb discover filters → the lookup on the local catalog (the release date stands in for both of
# TMDb's: the primary one and any regional one).
DISCOVER_LOOKUPS = {
    "primary_release_year": "release_date__year",
    "year": "release_date__year",
    "primary_release_date.gte": "release_date__gte",
    "primary_release_date.lte": "release_date__lte",
    "release_date.gte": "release_date__gte",
    "release_date.lte": "release_date__lte",
    "vote_average.gte": "vote_average__gte",
    "vote_average.lte": "vote_average__lte",
    "vote_count.gte": "vote_count__gte",
    "vote_count.lte": "vote_count__lte",
    "with_runtime.gte": "runtime__gte",
    "with_runtime.lte": "runtime__lte",
    "with_original_language": "original_language",
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
    """The local equivalent of TMDb discover for the filters DiscoverParams accepts (TMDb's names)."""
    queryset = Movie.objects.active()
    for name, lookup in DISCOVER_LOOKUPS.items():
        if filters.get(name) is not None:
            queryset = queryset.filter(**{lookup: filters[name]})
    if filters.get("with_genres"):
        queryset = _with_genres(queryset, str(filters["with_genres"]))
    if filters.get("without_genres"):
        queryset = queryset.exclude(pk__in=_movies_of(genre_ids(str(filters["without_genres"]))))
    ordering = DISCOVER_SORTS.get(filters.get("sort_by") or "popularity.desc", "-popularity")
    return queryset.order_by(*LOCAL_ORDERINGS[ordering])


def genre_ids(text: str) -> list[int]:
    """TMDb's genre list ("28,12" or "28|12") as ids."""
    return [int(part) for part in text.replace("|", ",").split(",") if part.strip()]


def _with_genres(queryset: QuerySet, text: str) -> QuerySet:
    """TMDb's with_genres: "28|12" any of them, "28,12" all of them (one grouped subquery either
    way, whatever the number of ids)."""
    if "|" in text:
        return queryset.filter(pk__in=_movies_of(genre_ids(text)))
    return queryset.with_all_genres(genre_ids(text))


def _movies_of(genre_tmdb_ids: list[int]) -> QuerySet:
    """Ids of the movies having any of the genres (one id: an exact match, so an id out of range is none)."""
    if len(genre_tmdb_ids) == 1:
        return MovieGenre.objects.filter(genre__tmdb_id=genre_tmdb_ids[0]).values("movie_id")
    return MovieGenre.objects.filter(genre__tmdb_id__in=genre_tmdb_ids).values("movie_id")
