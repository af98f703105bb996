"""Movie and genre payloads (a compact item shape for lists, the full one for details) and query params."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.constants import MAX_QUERY_LENGTH
from core.services.tmdb.images import image_config, image_url, image_urls

from .models import Genre, Movie

MAX_ID = 2**31 - 1
LANGUAGE_REGEX = r"^[a-z]{2}(-[A-Z]{2})?$"
REGION_REGEX = r"^[A-Z]{2}$"
ORDERING_CHOICES = [
    "popularity",
    "-popularity",
    "vote_average",
    "-vote_average",
    "vote_count",
    "-vote_count",
    "release_date",
    "-release_date",
    "title",
    "-title",
]
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


class GenreSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="tmdb_id", read_only=True)

    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class FieldSelectionMixin:
    """`fields=` support: the view passes `fields` (a validated subset); `id` is always kept."""

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
    is_favorite = serializers.BooleanField(read_only=True, required=False)
    in_watchlist = serializers.BooleanField(read_only=True, required=False)

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
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_poster_url(self, movie: Movie) -> str | None:
        return image_url(movie.poster_path, "poster", config=_images(self))


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


# --- query parameters ------------------------------------------------------------------------


class CommaSeparatedIntegers(serializers.CharField):
    """ "18,53" → [18, 53]; each a positive 32-bit id."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            values = [int(part) for part in text.split(",") if part.strip()]
        except ValueError as exc:
            raise serializers.ValidationError("Use comma-separated numeric ids.") from exc
        if not values or any(not 1 <= value <= MAX_ID for value in values):
            raise serializers.ValidationError(f"Ids must be between 1 and {MAX_ID}.")
        return values


class AudienceParams(serializers.Serializer):
    language = serializers.RegexField(
        LANGUAGE_REGEX, required=False, max_length=5, help_text="ISO 639-1, optionally with a region (pt-BR)."
    )
    region = serializers.RegexField(
        REGION_REGEX, required=False, max_length=2, help_text="ISO 3166-1 alpha-2."
    )
    fields = serializers.CharField(
        required=False, max_length=500, help_text="Comma-separated subset of the movie fields to return."
    )


class TrendingParams(AudienceParams):
    window = serializers.ChoiceField(choices=["day", "week"], default="day")


class SearchParams(AudienceParams):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    year = serializers.IntegerField(required=False, min_value=1870, max_value=2100)


class LocalListParams(AudienceParams):
    q = serializers.CharField(required=False, max_length=MAX_QUERY_LENGTH, allow_blank=True)
    genre = CommaSeparatedIntegers(
        required=False, help_text="Genre TMDb id(s), comma-separated (all must match)."
    )
    year_from = serializers.IntegerField(required=False, min_value=1870, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=1870, max_value=2100)
    min_rating = serializers.FloatField(required=False, min_value=0, max_value=10)
    min_votes = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)
    original_language = serializers.RegexField(r"^[a-z]{2}$", required=False, max_length=2)
    ordering = serializers.ChoiceField(required=False, choices=ORDERING_CHOICES)

    def validate(self, attrs):
        if attrs.get("year_from") and attrs.get("year_to") and attrs["year_from"] > attrs["year_to"]:
            raise serializers.ValidationError({"year_to": ["Must not be before year_from."]})
        return attrs


class GenreMoviesParams(AudienceParams):
    ordering = serializers.ChoiceField(required=False, choices=ORDERING_CHOICES)


class DiscoverParams(AudienceParams):
    sort_by = serializers.ChoiceField(
        required=False,
        choices=[
            "popularity.desc",
            "popularity.asc",
            "vote_average.desc",
            "vote_average.asc",
            "vote_count.desc",
            "vote_count.asc",
            "primary_release_date.desc",
            "primary_release_date.asc",
            "title.asc",
            "title.desc",
        ],
    )
    with_genres = CommaSeparatedIntegers(required=False)
    primary_release_year = serializers.IntegerField(required=False, min_value=1870, max_value=2100)
    release_date_gte = serializers.DateField(required=False)
    release_date_lte = serializers.DateField(required=False)
    vote_average_gte = serializers.FloatField(required=False, min_value=0, max_value=10)
    vote_count_gte = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)
    with_original_language = serializers.RegexField(r"^[a-z]{2}$", required=False, max_length=2)


_DISCOVER_NAMES = {
    "sort_by": "sort_by",
    "primary_release_year": "primary_release_year",
    "release_date_gte": "primary_release_date.gte",
    "release_date_lte": "primary_release_date.lte",
    "vote_average_gte": "vote_average.gte",
    "vote_count_gte": "vote_count.gte",
    "with_original_language": "with_original_language",
}


def discover_filters(params: dict) -> dict:
    """Validated DiscoverParams under TMDb's own parameter names (dates ISO, genres comma-joined)."""
    filters = {tmdb: params[name] for name, tmdb in _DISCOVER_NAMES.items() if params.get(name) is not None}
    for name in ("primary_release_date.gte", "primary_release_date.lte"):
        if name in filters:
            filters[name] = filters[name].isoformat()
    if params.get("with_genres"):
        filters["with_genres"] = ",".join(str(value) for value in params["with_genres"])
    return filters
