"""Catalog business logic: reads of the local catalog (the catalog issue adds TMDb-backed work)."""

from django.core.exceptions import ObjectDoesNotExist

from core.exceptions import NotFound

from .models import Movie


class MovieService:
    """Movie operations; a class used as a namespace with injectable collaborators."""

    def list_local(self):
        return Movie.objects.active().with_genres().order_by("-popularity", "tmdb_id")

    def get_movie(self, *, tmdb_id: int) -> Movie:
        try:
            return Movie.objects.with_genres().get_by_tmdb_id(tmdb_id)
        except ObjectDoesNotExist as exc:
            raise NotFound(f"Movie {tmdb_id} not found.") from exc
