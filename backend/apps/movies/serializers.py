"""Movie and genre payloads (a compact item shape for lists, the full one for details) and query params."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.services.tmdb.images import image_config, image_url, image_urls

from .models import Genre, Movie

# PositiveIntegerField columns, bounded as PostgreSQL stores them: left to the model field, the
# schema's maximum would follow the database backend (SQLite reports a 64-bit range).
POSITIVE_INT_MAX = 2**31 - 1

IMAGE_URLS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string", "format": "uri"},
    "nullable": True,
}


def _images(serializer: serializers.Serializer) -> dict:
    """The image configuration, read once per serialization (not once per item)."""
    context = serializer.context
    if "image_config" not in context:
        context["image_config"] = image_config()
    return context["image_config"]


WATCHED_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The reader's viewings of this movie: the last date watched and the latest rating "
    "(1-10, null when never rated); null when not watched or not signed in.",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 10, "nullable": True},
    },
    "required": ["date", "rating"],
}


class GenreSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="tmdb_id", read_only=True)

    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class FieldSelectionMixin:
    """`fields=` support: the view passes `fields` (a validated subset); `id` is always kept.

    The schema documents the full shape (every property required, as a typed client reads it
    without `fields=`); the `fields` parameter says a response then holds only those and `id`.
    """

    def __init__(self, *args, fields: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields:
            keep = {"id", *fields}
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)

    @classmethod
    def selectable_fields(cls) -> list[str]:
        return list(cls().fields)


class MovieListSerializer(FieldSelectionMixin, serializers.ModelSerializer):
    """The compact shape used by every list; is_favorite/in_watchlist appear when annotated."""

    id = serializers.IntegerField(source="tmdb_id", read_only=True)
    poster_url = serializers.SerializerMethodField()
    genres = GenreSerializer(many=True, read_only=True)
    # The reader's flags: false / null for anonymous readers and in shared cached pages (where the
    # view cache splices each reader's own in, core.cache.personal). A personal list passes the
    # reader's flag sets as context["reader_flags"]; otherwise Movie.objects.with_user_flags
    # annotations are read.
    is_favorite = serializers.SerializerMethodField()
    in_watchlist = serializers.SerializerMethodField()
    watched = serializers.SerializerMethodField()
    vote_count = serializers.IntegerField(read_only=True, min_value=0, max_value=POSITIVE_INT_MAX)

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
            "is_favorite",
            "in_watchlist",
            "watched",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_poster_url(self, movie: Movie) -> str | None:
        return image_url(movie.poster_path, "poster", config=_images(self))

    def get_is_favorite(self, movie: Movie) -> bool:
        flags = self.context.get("reader_flags")
        return (
            movie.tmdb_id in flags.favorites
            if flags is not None
            else bool(getattr(movie, "is_favorite", False))
        )

    def get_in_watchlist(self, movie: Movie) -> bool:
        flags = self.context.get("reader_flags")
        return (
            movie.tmdb_id in flags.watchlist
            if flags is not None
            else bool(getattr(movie, "in_watchlist", False))
        )

    @extend_schema_field(WATCHED_SCHEMA)
    def get_watched(self, movie: Movie) -> dict | None:
        flags = self.context.get("reader_flags")
        if flags is not None:
            return flags.watched_value(movie.tmdb_id)
        watched_on = getattr(movie, "last_watched_on", None)
        if watched_on is None:
            return None
        return {"date": watched_on.isoformat(), "rating": getattr(movie, "last_rating", None)}


class CastSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    character = serializers.CharField(allow_null=True, allow_blank=True)
    order = serializers.IntegerField(allow_null=True)
    profile_path = serializers.CharField(allow_null=True)
    profile_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_profile_url(self, person: dict) -> str | None:
        return image_url(person.get("profile_path"), "profile", config=_images(self))


class CrewSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    job = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    profile_path = serializers.CharField(allow_null=True)


class CreditsSerializer(serializers.Serializer):
    cast = CastSerializer(many=True)
    crew = CrewSerializer(many=True)


class VideoSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    site = serializers.CharField(allow_null=True)
    type = serializers.CharField(allow_null=True)
    official = serializers.BooleanField(allow_null=True)
    published_at = serializers.CharField(allow_null=True)


class KeywordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MovieDetailSerializer(MovieListSerializer):
    """The full shape: credits, videos, keywords, genres, and image URLs in every size TMDb offers."""

    runtime = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=0, max_value=POSITIVE_INT_MAX
    )
    backdrop_url = serializers.SerializerMethodField()
    poster_urls = serializers.SerializerMethodField()
    backdrop_urls = serializers.SerializerMethodField()
    imdb_id = serializers.CharField(read_only=True, allow_blank=True)
    credits = serializers.SerializerMethodField()
    videos = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    external_ids = serializers.SerializerMethodField()

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
            "poster_urls",
            "backdrop_urls",
            "credits",
            "videos",
            "keywords",
            "external_ids",
            "sync_status",
            "last_synced_at",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_backdrop_url(self, movie: Movie) -> str | None:
        return image_url(movie.backdrop_path, "backdrop", config=_images(self))

    @extend_schema_field(IMAGE_URLS_SCHEMA)
    def get_poster_urls(self, movie: Movie) -> dict | None:
        return image_urls(movie.poster_path, "poster", config=_images(self))

    @extend_schema_field(IMAGE_URLS_SCHEMA)
    def get_backdrop_urls(self, movie: Movie) -> dict | None:
        return image_urls(movie.backdrop_path, "backdrop", config=_images(self))

    @extend_schema_field(CreditsSerializer)
    def get_credits(self, movie: Movie) -> dict:
        credits = (movie.metadata or {}).get("credits") or {}
        data = {"cast": credits.get("cast") or [], "crew": credits.get("crew") or []}
        return CreditsSerializer(data, context=self.context).data

    @extend_schema_field(VideoSerializer(many=True))
    def get_videos(self, movie: Movie) -> list:
        return VideoSerializer((movie.metadata or {}).get("videos") or [], many=True).data

    @extend_schema_field(KeywordSerializer(many=True))
    def get_keywords(self, movie: Movie) -> list:
        return KeywordSerializer((movie.metadata or {}).get("keywords") or [], many=True).data

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_external_ids(self, movie: Movie) -> dict:
        ids = dict((movie.metadata or {}).get("external_ids") or {})
        ids.pop("id", None)
        return ids
