"""Changelist filters for movies: genre, status, language (cached choices) and release decade."""

from datetime import date

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from core import cache
from core.cache import keys
from core.cache.ttl import TTL

from .models import Genre, Movie, MovieGenre

# Distinct values of a column change only when a sync adds a new one: recomputing them
# (a scan of the movie table) at most every few minutes keeps the changelist cheap.
CHOICES_CACHE_TTL = TTL.QUERY_ADMIN_CHOICES
FIRST_DECADE = 1870
LAST_DECADE = 9980
MAX_TMDB_ID = 2_147_483_647


def is_ascii_number(value: str | None) -> bool:
    """Plain ASCII digits, short enough for an integer column ("²".isdigit() is True, int() fails)."""
    return bool(value) and value.isascii() and value.isdigit() and len(value) <= 10


def as_tmdb_id(term: str) -> int | None:
    """The search term as a TMDb id when it is one (ASCII digits within a PositiveIntegerField)."""
    return int(term) if is_ascii_number(term) and int(term) <= MAX_TMDB_ID else None


def distinct_values(field: str) -> list[str]:
    """The non-empty distinct values of a Movie column, cached briefly."""

    def produce() -> list[str]:
        values = Movie.objects.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        return sorted(values.order_by())

    return cache.get_or_set(keys.admin_choices(field), produce, ttl=CHOICES_CACHE_TTL, level="query")


def genre_movie_counts() -> dict[int, int]:
    """{genre id: number of movies}, from one GROUP BY over the (genre, movie) index, cached briefly."""

    def produce() -> dict[int, int]:
        rows = MovieGenre.objects.order_by().values_list("genre_id").annotate(total=Count("movie_id"))
        return dict(rows)

    return cache.get_or_set(keys.admin_genre_counts(), produce, ttl=CHOICES_CACHE_TTL, level="query")


class CachedValuesFilter(admin.SimpleListFilter):
    """Filters on one text column; its choices are the column's cached distinct values."""

    field_name = ""

    def lookups(self, request, model_admin):
        return [(value, value) for value in distinct_values(self.field_name)]

    def queryset(self, request, queryset: QuerySet):
        value = self.value()
        return queryset.filter(**{self.field_name: value}) if value else queryset


class StatusFilter(CachedValuesFilter):
    title = "status"
    parameter_name = "status"
    field_name = "status"


class LanguageFilter(CachedValuesFilter):
    title = "original language"
    parameter_name = "language"
    field_name = "original_language"


class GenreFilter(admin.SimpleListFilter):
    """Movies in a genre, through an EXISTS (no join, so no duplicated rows, no DISTINCT)."""

    title = "genre"
    parameter_name = "genre"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Genre.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset: QuerySet):
        value = self.value()
        if not is_ascii_number(value):
            return queryset
        in_genre = MovieGenre.objects.filter(movie=OuterRef("pk"), genre_id=int(value))
        return queryset.filter(Exists(in_genre))


class ReleaseDecadeFilter(admin.SimpleListFilter):
    """By decade of release (choices computed, never queried), plus "unknown" for no date."""

    title = "release decade"
    parameter_name = "decade"
    UNKNOWN = "unknown"

    def lookups(self, request, model_admin):
        current = timezone.now().year // 10 * 10
        decades = [(str(start), f"{start}s") for start in range(current, FIRST_DECADE - 1, -10)]
        return [*decades, (self.UNKNOWN, "Unknown")]

    def queryset(self, request, queryset: QuerySet):
        value = self.value()
        if value == self.UNKNOWN:
            return queryset.filter(release_date__isnull=True)
        if not is_ascii_number(value) or not FIRST_DECADE <= int(value) <= LAST_DECADE:
            return queryset
        start = int(value)
        return queryset.filter(release_date__gte=date(start, 1, 1), release_date__lt=date(start + 10, 1, 1))
