"""Read-side querysets for the catalog (chainable; no HTTP ever)."""

from django.db import models


class MovieQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def get_by_tmdb_id(self, tmdb_id: int):
        return self.active().get(tmdb_id=tmdb_id)

    def popular_movies(self, limit: int | None = None):
        queryset = self.active().order_by("-popularity", "tmdb_id")
        return queryset[:limit] if limit else queryset

    def with_genres(self):
        return self.prefetch_related("genres")


class MovieManager(models.Manager.from_queryset(MovieQuerySet)):
    pass


class GenreQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class GenreManager(models.Manager.from_queryset(GenreQuerySet)):
    pass
