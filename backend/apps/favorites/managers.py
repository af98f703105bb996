"""Read-side querysets for favorites and watchlist entries (chainable, single-model, no HTTP)."""

import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower

# ordering parameter → ORDER BY; every ordering ends on the primary key so pages are stable.
ENTRY_ORDERINGS: dict[str, tuple] = {
    "added_at": (F("added_at").asc(), F("id").asc()),
    "-added_at": (F("added_at").desc(), F("id").desc()),
    "title": (Lower("movie__title").asc(), F("id").asc()),
    "-title": (Lower("movie__title").desc(), F("id").desc()),
    "release_date": (F("movie__release_date").asc(nulls_last=True), F("id").asc()),
    "-release_date": (F("movie__release_date").desc(nulls_last=True), F("id").desc()),
    "vote_average": (F("movie__vote_average").asc(), F("id").asc()),
    "-vote_average": (F("movie__vote_average").desc(), F("id").desc()),
}
FAVORITE_ORDERINGS: dict[str, tuple] = {
    **ENTRY_ORDERINGS,
    # Unrated favorites sort last in both directions.
    "rating": (F("user_rating").asc(nulls_last=True), F("id").asc()),
    "-rating": (F("user_rating").desc(nulls_last=True), F("id").desc()),
}
DEFAULT_ORDERING = "-added_at"


class UserMovieEntryQuerySet(models.QuerySet):
    """Queries shared by favorites and the watchlist."""

    orderings = ENTRY_ORDERINGS

    def active(self):
        return self.filter(is_active=True)

    def of(self, user):
        """The user's current entries (removed ones are history, not content)."""
        return self.filter(user=user, is_active=True)

    def visible(self):
        """Hides adult titles unless the owner opted in (a missing profile means not opted in).

        A correlated subquery on the owner's profile, so it costs no extra query.
        """
        from apps.users.models import Profile

        opted_in = Profile.objects.filter(user_id=OuterRef("user_id"), include_adult=True)
        return self.filter(Q(movie__adult=False) | Exists(opted_in))

    def with_movie(self):
        """The movie (without its bulky metadata JSON, which no list shows) and its genres."""
        return self.select_related("movie").defer("movie__metadata").prefetch_related("movie__genres")

    def with_movie_flags(self, user):
        """The owner's flags of each entry's movie, as `movie_<flag>` annotations (no extra query);
        `attach_movie_flags` hands them to the movies, which the catalog item shape reads."""
        from apps.movies.managers import user_flag_expressions

        expressions = user_flag_expressions(user, OuterRef("movie_id"))
        return self.annotate(**{f"movie_{name}": expression for name, expression in expressions.items()})

    def search(self, q: str):
        return self.filter(
            Q(movie__title__icontains=q) | Q(movie__original_title__icontains=q) | Q(notes__icontains=q)
        )

    def in_genres(self, genre_tmdb_ids: list[int]):
        """Entries whose movie has any of these genres (TMDb genre ids); no duplicate rows."""
        from apps.movies.models import MovieGenre

        return self.filter(
            Exists(MovieGenre.objects.filter(movie=OuterRef("movie_id"), genre__tmdb_id__in=genre_tmdb_ids))
        )

    def released_between(self, *, year_from: int | None = None, year_to: int | None = None):
        queryset = self
        if year_from is not None:
            queryset = queryset.filter(movie__release_date__gte=datetime.date(year_from, 1, 1))
        if year_to is not None:
            queryset = queryset.filter(movie__release_date__lte=datetime.date(year_to, 12, 31))
        return queryset

    def for_movie(self, tmdb_id: int):
        return self.filter(movie__tmdb_id=tmdb_id)

    def ordered(self, ordering: str = DEFAULT_ORDERING):
        return self.order_by(*self.orderings[ordering])

    def movie_ids(self):
        return self.values_list("movie_id", flat=True)


class FavoriteQuerySet(UserMovieEntryQuerySet):
    orderings = FAVORITE_ORDERINGS

    def rated_between(self, *, min_rating: int | None = None, max_rating: int | None = None):
        queryset = self
        if min_rating is not None:
            queryset = queryset.filter(user_rating__gte=min_rating)
        if max_rating is not None:
            queryset = queryset.filter(user_rating__lte=max_rating)
        return queryset


class WatchlistItemQuerySet(UserMovieEntryQuerySet):
    pass


class FavoriteManager(models.Manager.from_queryset(FavoriteQuerySet)):
    pass


class WatchlistItemManager(models.Manager.from_queryset(WatchlistItemQuerySet)):
    pass


MOVIE_FLAGS = ("is_favorite", "in_watchlist", "last_watched_on", "last_rating")


def attach_movie_flags(entries) -> None:
    """Copies the `with_movie_flags` annotations of each entry onto its movie."""
    for entry in entries:
        for name in MOVIE_FLAGS:
            setattr(entry.movie, name, getattr(entry, f"movie_{name}", None))
