"""Input and output shapes of the watched-history endpoints."""

from django.utils import timezone
from rest_framework import serializers

from apps.favorites.serializers import (
    GENRE_LIST,
    MAX_TMDB_ID,
    MAX_YEAR,
    MIN_YEAR,
    GenreCountSerializer,
    _check_range,
)
from apps.movies.serializers import MovieListSerializer
from core.constants import MAX_QUERY_LENGTH

from .managers import DEFAULT_VIEWING_ORDERING, VIEWING_ORDERINGS
from .models import REVIEW_MAX_LENGTH, Viewing

EARLIEST_VIEWING = "1870-01-01"


def _rating_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=10, **kwargs)


class WatchedOnField(serializers.DateField):
    """A date no later than today (films are logged once watched)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if day > timezone.localdate() or day.year < MIN_YEAR:
            raise serializers.ValidationError(f"Must be between {EARLIEST_VIEWING} and today.")
        return day


# Inputs ---------------------------------------------------------------------------------------
class ViewingUpdateInputSerializer(serializers.Serializer):
    watched_on = WatchedOnField(required=False)
    rating = _rating_field(required=False, allow_null=True, help_text="1-10, or null to clear it.")
    rewatch = serializers.BooleanField(required=False)
    review = serializers.CharField(max_length=REVIEW_MAX_LENGTH, allow_blank=True, required=False)


class ViewingAddInputSerializer(ViewingUpdateInputSerializer):
    movie_id = serializers.IntegerField(
        min_value=1, max_value=MAX_TMDB_ID, help_text="The movie's TMDb id (synced first when unknown)."
    )
    watched_on = WatchedOnField(required=False, help_text="Defaults to today.")


class ViewingFilterSerializer(serializers.Serializer):
    """Query parameters of the list endpoint."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH, help_text="Search in title and review."
    )
    genre = serializers.RegexField(
        GENRE_LIST,
        required=False,
        help_text="TMDb genre id, or several comma-separated (any of them matches).",
    )
    year = serializers.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="Watched in this year."
    )
    year_from = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    year_to = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    min_rating = _rating_field(required=False, help_text="Lowest rating (unrated viewings drop out).")
    max_rating = _rating_field(required=False)
    movie_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TMDB_ID, help_text="Only viewings of this TMDb id."
    )
    ordering = serializers.ChoiceField(choices=list(VIEWING_ORDERINGS), default=DEFAULT_VIEWING_ORDERING)

    def validate(self, attrs: dict) -> dict:
        if "year" in attrs:
            year = attrs.pop("year")
            attrs["year_from"], attrs["year_to"] = year, year
        _check_range(attrs, "year_from", "year_to")
        _check_range(attrs, "min_rating", "max_rating")
        if "genre" in attrs:
            attrs["genres"] = tuple(int(part) for part in attrs.pop("genre").split(","))
        return attrs


class HistoryExportParamsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["letterboxd", "json"],
        default="json",
        help_text="letterboxd: Letterboxd's import CSV of the history; json: favorites, watchlist and history.",
    )


# Outputs --------------------------------------------------------------------------------------
class ViewingOutputSerializer(serializers.ModelSerializer):
    movie = MovieListSerializer(read_only=True)

    class Meta:
        model = Viewing
        fields = [
            "id",
            "movie",
            "watched_on",
            "rating",
            "rewatch",
            "review",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField(min_value=0)
    average_rating = serializers.FloatField(allow_null=True)


class HistoryStatsOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, help_text="Viewings, rewatches included.")
    movie_count = serializers.IntegerField(min_value=0, help_text="Distinct movies watched.")
    rated_count = serializers.IntegerField(min_value=0)
    rewatch_count = serializers.IntegerField(min_value=0)
    average_rating = serializers.FloatField(allow_null=True, help_text="Mean of the ratings given.")
    by_year = YearCountSerializer(many=True, help_text="Viewings per year watched, oldest first.")
    top_genres = GenreCountSerializer(many=True, help_text="Counted once per movie.")
