"""Read-side queryset of viewings (chainable, single-model, no HTTP)."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from apps.favorites.managers import UserMovieEntryQuerySet

# ordering parameter → ORDER BY; every ordering ends on the primary key so pages are stable.
VIEWING_ORDERINGS: dict[str, tuple] = {
    "watched_on": (F("watched_on").asc(), F("id").asc()),
    "-watched_on": (F("watched_on").desc(), F("id").desc()),
    "title": (Lower("movie__title").asc(), F("id").asc()),
    "-title": (Lower("movie__title").desc(), F("id").desc()),
    # Unrated viewings sort last in both directions.
    "rating": (F("rating").asc(nulls_last=True), F("id").asc()),
    "-rating": (F("rating").desc(nulls_last=True), F("id").desc()),
}
DEFAULT_VIEWING_ORDERING = "-watched_on"


class ViewingQuerySet(UserMovieEntryQuerySet):
    """The favorites' reads (of, visible, with_movie, in_genres …) plus viewing-specific ones."""

    orderings = VIEWING_ORDERINGS

    def search(self, q: str):
        return self.filter(
            Q(movie__title__icontains=q) | Q(movie__original_title__icontains=q) | Q(review__icontains=q)
        )

    def watched_in(self, *, year_from: int | None = None, year_to: int | None = None):
        queryset = self
        if year_from is not None:
            queryset = queryset.filter(watched_on__year__gte=year_from)
        if year_to is not None:
            queryset = queryset.filter(watched_on__year__lte=year_to)
        return queryset

    def rated_between(self, *, min_rating: int | None = None, max_rating: int | None = None):
        queryset = self
        if min_rating is not None:
            queryset = queryset.filter(rating__gte=min_rating)
        if max_rating is not None:
            queryset = queryset.filter(rating__lte=max_rating)
        return queryset

    def ordered(self, ordering: str = DEFAULT_VIEWING_ORDERING):
        return self.order_by(*self.orderings[ordering])


class ViewingManager(models.Manager.from_queryset(ViewingQuerySet)):
    pass
