"""Movie and genre payloads: a compact item shape for lists, the full one for details."""

from django.conf import settings
from rest_framework import serializers

from .models import Genre, Movie


def image_url(path: str, size: str) -> str | None:
    return f"{settings.TMDB_IMAGE_BASE_URL}{size}{path}" if path else None


class GenreSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="tmdb_id", read_only=True)

    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class MovieListSerializer(serializers.ModelSerializer):
    """The compact shape used by every list."""

    id = serializers.IntegerField(source="tmdb_id", read_only=True)
    poster_url = serializers.SerializerMethodField()
    genres = GenreSerializer(many=True, read_only=True)

    class Meta:
        model = Movie
        fields = [
            "id",
            "title",
            "original_title",
            "original_language",
            "release_date",
            "popularity",
            "vote_average",
            "vote_count",
            "adult",
            "poster_path",
            "poster_url",
            "genres",
        ]

    def get_poster_url(self, movie: Movie) -> str | None:
        return image_url(movie.poster_path, "w342")


class MovieDetailSerializer(MovieListSerializer):
    """The full shape used by the detail endpoint."""

    backdrop_url = serializers.SerializerMethodField()
    imdb_id = serializers.CharField(read_only=True, allow_blank=True)

    class Meta(MovieListSerializer.Meta):
        fields = [
            *MovieListSerializer.Meta.fields,
            "tagline",
            "overview",
            "runtime",
            "status",
            "budget",
            "revenue",
            "homepage",
            "imdb_id",
            "backdrop_path",
            "backdrop_url",
            "sync_status",
            "last_synced_at",
        ]

    def get_backdrop_url(self, movie: Movie) -> str | None:
        return image_url(movie.backdrop_path, "w1280")
