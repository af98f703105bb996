"""Input and output shapes of the favorites, watchlist, stats, export and for-you endpoints."""

import re

from rest_framework import serializers

from apps.authentication.serializers import StrictInputSerializer
from apps.movies.params import field_list
from apps.movies.serializers import MovieListSerializer
from core.constants import MAX_QUERY_LENGTH

from .managers import DEFAULT_ORDERING, ENTRY_ORDERINGS, FAVORITE_ORDERINGS
from .models import NOTES_MAX_LENGTH, Favorite, WatchlistItem

MAX_TMDB_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1870, 2100
GENRE_LIST = re.compile(r"^\d{1,9}(,\d{1,9}){0,19}$")


def _notes_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=NOTES_MAX_LENGTH, allow_blank=True, **kwargs)


def _rating_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=10, **kwargs)


# Inputs ---------------------------------------------------------------------------------------
class WatchlistAddInputSerializer(StrictInputSerializer):
    movie_id = serializers.IntegerField(
        min_value=1, max_value=MAX_TMDB_ID, help_text="The movie's TMDb id (synced first when unknown)."
    )
    notes = _notes_field(required=False)


class FavoriteAddInputSerializer(WatchlistAddInputSerializer):
    user_rating = _rating_field(required=False, allow_null=True)


class WatchlistUpdateInputSerializer(StrictInputSerializer):
    notes = _notes_field(required=False)


class FavoriteUpdateInputSerializer(WatchlistUpdateInputSerializer):
    user_rating = _rating_field(required=False, allow_null=True, help_text="1-10, or null to clear it.")


class ExportParamsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "json"], default="json")


# Outputs --------------------------------------------------------------------------------------
class WatchlistItemOutputSerializer(serializers.ModelSerializer):
    movie = MovieListSerializer(read_only=True)

    class Meta:
        model = WatchlistItem
        fields = ["id", "movie", "notes", "added_at", "updated_at"]
        read_only_fields = fields


class FavoriteOutputSerializer(serializers.ModelSerializer):
    movie = MovieListSerializer(read_only=True)

    class Meta:
        model = Favorite
        fields = ["id", "movie", "user_rating", "notes", "added_at", "updated_at"]
        read_only_fields = fields


class EntryListItemMixin:
    """A list's item: compact by default (no `updated_at`); `fields=` keeps only the named entry
    fields and movie fields (the entry's `id` and the movie's `id` always stay)."""

    ENTRY_FIELDS: tuple[str, ...] = ()
    DEFAULT_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, fields: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(fields) if fields else set(self.DEFAULT_FIELDS)
        for name in list(self.fields):
            if name in self.ENTRY_FIELDS and name not in wanted:
                self.fields.pop(name)
        movie_fields = [name for name in (fields or ()) if name not in self.ENTRY_FIELDS]
        if fields:
            self.fields["movie"] = MovieListSerializer(read_only=True, fields=movie_fields or ["id"])

    @classmethod
    def selectable_fields(cls) -> list[str]:
        movie = [name for name in MovieListSerializer.selectable_fields() if name != "id"]
        return [*cls.ENTRY_FIELDS, *movie]


class WatchlistListItemSerializer(EntryListItemMixin, WatchlistItemOutputSerializer):
    ENTRY_FIELDS = ("notes", "added_at", "updated_at")
    DEFAULT_FIELDS = ("notes", "added_at")

    class Meta(WatchlistItemOutputSerializer.Meta):
        pass


class FavoriteListItemSerializer(EntryListItemMixin, FavoriteOutputSerializer):
    ENTRY_FIELDS = ("user_rating", "notes", "added_at", "updated_at")
    DEFAULT_FIELDS = ("user_rating", "notes", "added_at")

    class Meta(FavoriteOutputSerializer.Meta):
        pass


def entry_field_list(item_serializer) -> serializers.RegexField:
    """`fields=` of a personal list: the item's entry fields and the movie's fields."""
    return field_list(
        item_serializer,
        help_text=(
            "Comma-separated entry fields (`updated_at` only when asked) and movie fields to return: "
            "each item then holds only those, its `id` and its movie's `id`."
        ),
    )


# Query parameters -----------------------------------------------------------------------------
class WatchlistFilterSerializer(serializers.Serializer):
    """Query parameters of the list endpoints."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH, help_text="Search in title and notes."
    )
    genre = serializers.RegexField(
        GENRE_LIST,
        required=False,
        help_text="TMDb genre id, or several comma-separated (any of them matches).",
    )
    year_from = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    year_to = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    movie_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TMDB_ID, help_text="Only the entry for this TMDb id."
    )
    ordering = serializers.ChoiceField(choices=list(ENTRY_ORDERINGS), default=DEFAULT_ORDERING)
    fields = entry_field_list(WatchlistListItemSerializer)

    def validate(self, attrs: dict) -> dict:
        _check_range(attrs, "year_from", "year_to")
        if "genre" in attrs:
            attrs["genres"] = tuple(int(part) for part in attrs.pop("genre").split(","))
        return attrs


class FavoriteFilterSerializer(WatchlistFilterSerializer):
    min_rating = _rating_field(required=False, help_text="Lowest user rating (unrated ones drop out).")
    max_rating = _rating_field(required=False)
    ordering = serializers.ChoiceField(choices=list(FAVORITE_ORDERINGS), default=DEFAULT_ORDERING)
    fields = entry_field_list(FavoriteListItemSerializer)

    def validate(self, attrs: dict) -> dict:
        _check_range(attrs, "min_rating", "max_rating")
        return super().validate(attrs)


def _check_range(attrs: dict, low: str, high: str) -> None:
    if attrs.get(low) is not None and attrs.get(high) is not None and attrs[low] > attrs[high]:
        raise serializers.ValidationError({low: [f"Must not be greater than {high}."]})


class ForYouMovieSerializer(MovieListSerializer):
    """A recommended movie, with why (null for the popular fallbacks)."""

    reason = serializers.CharField(
        source="recommendation_reason",
        read_only=True,
        allow_null=True,
        help_text='Why it is recommended, e.g. "because you rated Alien 9/10".',
    )

    class Meta(MovieListSerializer.Meta):
        fields = [*MovieListSerializer.Meta.fields, "reason"]


class RatingBucketSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=10)
    count = serializers.IntegerField(min_value=0)


class GenreCountSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="TMDb genre id.")
    name = serializers.CharField()
    count = serializers.IntegerField(min_value=0)


class DecadeCountSerializer(serializers.Serializer):
    decade = serializers.IntegerField(allow_null=True, help_text="1990 for the 1990s; null: no release date.")
    count = serializers.IntegerField(min_value=0)


class FavoriteStatsOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    rated_count = serializers.IntegerField(min_value=0)
    average_rating = serializers.FloatField(allow_null=True, help_text="Mean of the ratings given.")
    rating_histogram = RatingBucketSerializer(many=True, help_text="Ratings 1 to 10, empty ones included.")
    top_genres = GenreCountSerializer(many=True)
    by_decade = DecadeCountSerializer(many=True)
    total_runtime_minutes = serializers.IntegerField(min_value=0)
    watchlist_count = serializers.IntegerField(min_value=0)


class ExportEntrySerializer(serializers.Serializer):
    tmdb_id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True, required=False, help_text="Favorites only.")
    notes = serializers.CharField(allow_blank=True)
    added_at = serializers.DateTimeField()


class ExportOutputSerializer(serializers.Serializer):
    favorites = ExportEntrySerializer(many=True)
    watchlist = ExportEntrySerializer(many=True)
