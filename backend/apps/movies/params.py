"""Query-parameter serializers of the movie and genre endpoints (400 with field errors on bad input)."""

from __future__ import annotations

from rest_framework import serializers

from core.constants import MAX_QUERY_LENGTH

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


class CommaSeparatedIntegers(serializers.CharField):
    """Comma-separated ids ("18,53") → [18, 53]; each a positive 32-bit id."""

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
        required=False,
        max_length=500,
        help_text=(
            "Comma-separated subset of the movie fields to return: the response then holds only "
            "those and `id` (the schema's movie types describe the full shape, without `fields`)."
        ),
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
