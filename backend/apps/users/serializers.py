"""Serializers for users/me: strict inputs (read-only fields refused) and the profile outputs."""

from django.core.validators import URLValidator
from rest_framework import serializers

from apps.authentication.serializers import StrictInputSerializer, password_field

from .validators import normalize_language, normalize_region

MAX_FAVORITE_GENRES = 50


class MeSerializer(serializers.Serializer):
    """The signed-in user and their profile (email, flags, ids and timestamps are read-only)."""

    id = serializers.IntegerField(source="user.id")
    email = serializers.EmailField(source="user.email")
    email_verified = serializers.BooleanField(source="user.email_verified")
    date_joined = serializers.DateTimeField(source="user.date_joined")
    display_name = serializers.CharField()
    avatar_url = serializers.CharField()
    bio = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ProfileUpdateInputSerializer(StrictInputSerializer):
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    avatar_url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="An http(s) image URL, or empty to remove it.",
    )
    bio = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class PreferencesSerializer(serializers.Serializer):
    language = serializers.CharField(
        help_text="ISO 639-1, optionally with a region (pt-BR); empty = default."
    )
    region = serializers.CharField(help_text="ISO 3166-1 alpha-2 (US, BR); empty = default.")
    include_adult = serializers.BooleanField()
    favorite_genres = serializers.SerializerMethodField(help_text="TMDb genre ids.")
    updated_at = serializers.DateTimeField()

    def get_favorite_genres(self, profile) -> list[int]:
        return sorted(genre.tmdb_id for genre in profile.favorite_genres.all())


class PreferencesUpdateInputSerializer(StrictInputSerializer):
    language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    region = serializers.CharField(max_length=2, required=False, allow_blank=True)
    include_adult = serializers.BooleanField(required=False)
    favorite_genres = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_FAVORITE_GENRES,
        required=False,
        help_text="TMDb genre ids (replaces the whole set; [] clears it).",
    )

    def validate_language(self, value: str) -> str:
        return _normalized(normalize_language, value)

    def validate_region(self, value: str) -> str:
        return _normalized(normalize_region, value)


class AccountDeleteInputSerializer(StrictInputSerializer):
    password = password_field(help_text="The current password, to confirm.")


def _normalized(normalize, value: str) -> str:
    if not value:
        return ""
    try:
        return normalize(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from exc
