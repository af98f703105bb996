"""Query-parameter serializers of the movie and genre endpoints (400 with field errors on bad input)."""

from __future__ import annotations

from datetime import date

from rest_framework import serializers
from rest_framework.settings import api_settings

from core.constants import MAX_QUERY_LENGTH

from .serializers import MovieDetailSerializer, MovieListSerializer
from .services.catalog import DISCOVER_SORTS

MAX_ID = 2**31 - 1
# Ids in one list-valued parameter (genre, with_genres, without_genres). Every id is a condition
# the query must meet; TMDb has 19 movie genres, and no movie has more than a handful: more is a 400.
MAX_LIST_IDS = 10
DISCOVER_SORT_CHOICES = sorted(DISCOVER_SORTS)
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
    """Comma-separated ids ("18,53") → [18, 53]; each a positive 32-bit id, at most MAX_LIST_IDS distinct."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LIST_IDS * 11)  # ten digits and a comma per id
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            values = [int(part) for part in text.split(",") if part.strip()]
        except ValueError as exc:
            raise serializers.ValidationError("Use comma-separated numeric ids.") from exc
        if not values or any(not 1 <= value <= MAX_ID for value in values):
            raise serializers.ValidationError(f"Ids must be between 1 and {MAX_ID}.")
        values = list(dict.fromkeys(values))
        if len(values) > MAX_LIST_IDS:
            raise serializers.ValidationError(f"At most {MAX_LIST_IDS} ids.")
        return values


MOVIE_FIELDS_HELP = (
    "Comma-separated subset of the movie fields to return: the response then holds only "
    "those and `id` (the schema's movie types describe the full shape, without `fields`)."
)


def field_list(serializer_class, *, help_text: str = MOVIE_FIELDS_HELP) -> serializers.RegexField:
    """`fields=`: a comma-separated subset of the serializer's `selectable_fields()`, as a pattern
    the schema states and the code enforces (an unknown or misspelt name is a 400 either way)."""
    names = "|".join(sorted(serializer_class.selectable_fields(), key=len, reverse=True))
    return serializers.RegexField(
        rf"^(?:{names})(?:,(?:{names}))*$",
        required=False,
        max_length=500,
        help_text=help_text,
        error_messages={"invalid": "Use a comma-separated list of this resource's field names."},
    )


class AudienceParams(serializers.Serializer):
    language = serializers.RegexField(
        LANGUAGE_REGEX, required=False, max_length=5, help_text="ISO 639-1, optionally with a region (pt-BR)."
    )
    region = serializers.RegexField(
        REGION_REGEX, required=False, max_length=2, help_text="ISO 3166-1 alpha-2."
    )
    fields = field_list(MovieListSerializer)


class DetailParams(AudienceParams):
    fields = field_list(MovieDetailSerializer)


class TrendingParams(AudienceParams):
    window = serializers.ChoiceField(choices=["day", "week"], default="day")


class SearchParams(AudienceParams):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    year = serializers.IntegerField(required=False, min_value=1870, max_value=2100)


class LocalListParams(AudienceParams):
    q = serializers.CharField(required=False, max_length=MAX_QUERY_LENGTH, allow_blank=True)
    genre = CommaSeparatedIntegers(
        required=False,
        help_text=f"Genre TMDb id(s), comma-separated (all must match; at most {MAX_LIST_IDS}).",
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


class GenreIds(serializers.CharField):
    """TMDb's genre list: "28,12" (all must match) or "28|12" (any may), never both; normalised text."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data).replace(" ", "")
        separator = "|" if "|" in text else ","
        if separator == "|" and "," in text:
            raise serializers.ValidationError("Use either , (all of) or | (any of), not both.")
        parts = [part for part in text.split(separator) if part]
        if not parts or not all(part.isdigit() and 1 <= int(part) <= MAX_ID for part in parts):
            raise serializers.ValidationError(f"Use genre ids between 1 and {MAX_ID}, joined by , or |.")
        ids = list(dict.fromkeys(int(part) for part in parts))
        if len(ids) > MAX_LIST_IDS:
            raise serializers.ValidationError(f"At most {MAX_LIST_IDS} genre ids.")
        return separator.join(str(genre_id) for genre_id in ids)


# TMDb /discover/movie parameters whose names are not Python identifiers, as TMDb spells them. DRF
# would read a dot in a field's source as nesting, so each reads into "x__gte" (DiscoverParams.validate
# renames it back).
def _tmdb_spelled_fields() -> dict[str, serializers.Field]:
    rating = {"required": False, "min_value": 0, "max_value": 10}
    count = {"required": False, "min_value": 0, "max_value": MAX_ID}
    any_release = {"required": False, "help_text": "Any release (local: the release date)."}
    fields = {
        "primary_release_date.gte": serializers.DateField(required=False),
        "primary_release_date.lte": serializers.DateField(required=False),
        "release_date.gte": serializers.DateField(**any_release),
        "release_date.lte": serializers.DateField(**any_release),
        "vote_average.gte": serializers.FloatField(**rating),
        "vote_average.lte": serializers.FloatField(**rating),
        "vote_count.gte": serializers.IntegerField(**count),
        "vote_count.lte": serializers.IntegerField(**count),
        "with_runtime.gte": serializers.IntegerField(**count, help_text="Minutes."),
        "with_runtime.lte": serializers.IntegerField(**count, help_text="Minutes."),
    }
    for name, field in fields.items():
        field.source = name.replace(".", "__")
    return fields


# This API's first spellings → TMDb's; both are accepted, one of them per request.
DISCOVER_ALIASES = {
    "release_date_gte": "primary_release_date.gte",
    "release_date_lte": "primary_release_date.lte",
    "vote_average_gte": "vote_average.gte",
    "vote_count_gte": "vote_count.gte",
}
DISCOVER_RANGES = ("primary_release_date", "release_date", "vote_average", "vote_count", "with_runtime")
# Read elsewhere on every list (pagination; DRF's ?format=): known, so never "unknown".
OTHER_PARAMS = frozenset({"page", "page_size", api_settings.URL_FORMAT_OVERRIDE})


class DiscoverParams(AudienceParams):
    """TMDb's /discover/movie parameters under TMDb's names (plus DISCOVER_ALIASES); any other is a 400."""

    sort_by = serializers.ChoiceField(required=False, choices=DISCOVER_SORT_CHOICES)
    with_genres = GenreIds(required=False, help_text="Genre ids: 28,12 = all of them; 28|12 = any of them.")
    without_genres = GenreIds(required=False, help_text="Genre ids (, or |): none of them.")
    primary_release_year = serializers.IntegerField(required=False, min_value=1870, max_value=2100)
    year = serializers.IntegerField(
        required=False, min_value=1870, max_value=2100, help_text="Any release (local: the release date)."
    )
    with_original_language = serializers.RegexField(r"^[a-z]{2}$", required=False, max_length=2)
    include_adult = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="false hides adult titles; true needs a signed-in user whose preferences allow them.",
    )
    release_date_gte = serializers.DateField(required=False, help_text="Same as primary_release_date.gte.")
    release_date_lte = serializers.DateField(required=False, help_text="Same as primary_release_date.lte.")
    vote_average_gte = serializers.FloatField(
        required=False, min_value=0, max_value=10, help_text="Same as vote_average.gte."
    )
    vote_count_gte = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_ID, help_text="Same as vote_count.gte."
    )

    def get_fields(self):
        return {**super().get_fields(), **_tmdb_spelled_fields()}

    def to_internal_value(self, data):
        """Field errors, plus one for every unknown or repeated parameter (never silently ignored)."""
        known = set(self.fields) | OTHER_PARAMS
        problems = {name: ["Unknown parameter."] for name in data if name not in known}
        repeated = [name for name in data if hasattr(data, "getlist") and len(data.getlist(name)) > 1]
        problems.update({name: ["Give this parameter once."] for name in repeated})
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**problems, **exc.detail}) from exc
        if problems:
            raise serializers.ValidationError(problems)
        return values

    def validate(self, attrs):
        attrs = {name.replace("__", "."): value for name, value in attrs.items()}
        for alias, name in DISCOVER_ALIASES.items():
            if alias in attrs and name in attrs:
                raise serializers.ValidationError({alias: [f"Give either {alias} or {name}, not both."]})
            if alias in attrs:
                attrs[name] = attrs.pop(alias)
        for prefix in DISCOVER_RANGES:
            low, high = attrs.get(f"{prefix}.gte"), attrs.get(f"{prefix}.lte")
            if low is not None and high is not None and low > high:
                raise serializers.ValidationError({f"{prefix}.lte": [f"Must not be below {prefix}.gte."]})
        return attrs


DISCOVER_FILTERS = (
    "sort_by",
    "with_genres",
    "without_genres",
    "primary_release_year",
    "year",
    "with_original_language",
    *(f"{prefix}.{bound}" for prefix in DISCOVER_RANGES for bound in ("gte", "lte")),
)


def discover_filters(params: dict) -> dict:
    """Validated DiscoverParams as TMDb's query parameters (dates ISO; include_adult goes by the audience)."""
    filters = {name: params[name] for name in DISCOVER_FILTERS if params.get(name) is not None}
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in filters.items()}
