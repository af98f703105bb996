"""UserService: the profile every user has (created lazily), preferences, and account deletion."""

from dataclasses import dataclass

from django.db import transaction

from apps.authentication.models import LoginLockout, UserSession
from apps.authentication.services import AuthService, TokenService
from apps.movies.models import Genre
from core.exceptions import ValidationFailed

from .models import Profile

PROFILE_FIELDS = ("display_name", "avatar_url", "bio")
PREFERENCE_FIELDS = ("language", "region", "include_adult")


@dataclass(frozen=True)
class Preferences:
    """What movie listings need to know about the viewer; empty strings mean "the default"."""

    language: str = ""
    region: str = ""
    include_adult: bool = False
    favorite_genre_ids: tuple[int, ...] = ()


ANONYMOUS_PREFERENCES = Preferences()


class UserService:
    def __init__(self, *, auth: AuthService | None = None, tokens: TokenService | None = None):
        self.tokens = tokens or TokenService()
        self.auth = auth or AuthService(tokens=self.tokens)

    def create_profile(self, *, user, display_name: str = "") -> Profile:
        profile = Profile(user=user, display_name=display_name.strip())
        profile.full_clean()
        profile.save()
        return profile

    def get_profile(self, user) -> Profile:
        """The user's profile, created on first use for users made outside registration
        (createsuperuser, the admin, scripts)."""
        profile, _ = Profile.objects.get_or_create(user=user)
        return profile

    def preferences_for(self, user) -> Preferences:
        """The viewer's preferences (defaults for anonymous users), for catalog and favorites code."""
        if user is None or not user.is_authenticated:
            return ANONYMOUS_PREFERENCES
        profile = self.get_profile(user)
        genre_ids = profile.favorite_genres.order_by("tmdb_id").values_list("tmdb_id", flat=True)
        return Preferences(
            language=profile.language,
            region=profile.region,
            include_adult=profile.include_adult,
            favorite_genre_ids=tuple(genre_ids),
        )

    @transaction.atomic
    def update_profile(self, *, user, **fields) -> Profile:
        return self._update(user=user, fields=fields, allowed=PROFILE_FIELDS)

    @transaction.atomic
    def update_preferences(self, *, user, favorite_genres: list[int] | None = None, **fields) -> Profile:
        """Language/region/include_adult, and favorite genres given as TMDb genre ids."""
        profile = self._update(user=user, fields=fields, allowed=PREFERENCE_FIELDS)
        if favorite_genres is not None:
            profile.favorite_genres.set(self._genres(favorite_genres))
        return profile

    def delete_account(self, *, user, password: str) -> None:
        """Hard delete after a password check: profile, favorites, watchlist, sessions and tokens
        go with the user (CASCADE); the sessions' access tokens are refused from now on."""
        self.auth.confirm_password(user=user, password=password, field="password")
        session_ids = list(UserSession.objects.for_user(user).values_list("id", flat=True))
        with transaction.atomic():
            self.tokens.revoke(session_ids=session_ids, reason=UserSession.RevokeReason.USER_INACTIVE)
            LoginLockout.objects.filter(email=user.email).delete()
            user.delete()

    def _update(self, *, user, fields: dict, allowed: tuple[str, ...]) -> Profile:
        profile = Profile.objects.select_for_update().filter(user=user).first() or self.get_profile(user)
        unexpected = set(fields) - set(allowed)
        if unexpected:
            raise ValueError(f"Not updatable here: {sorted(unexpected)}")
        for name, value in fields.items():
            setattr(profile, name, value)
        if fields:
            profile.full_clean(exclude=["user"])
            profile.save(update_fields=[*fields, "updated_at"])
        return profile

    def _genres(self, tmdb_ids: list[int]) -> list[Genre]:
        wanted = set(tmdb_ids)
        genres = list(Genre.objects.filter(tmdb_id__in=wanted, is_active=True))
        unknown = sorted(wanted - {genre.tmdb_id for genre in genres})
        if unknown:
            raise ValidationFailed(
                {"favorite_genres": [f"Unknown genre ids: {', '.join(map(str, unknown))}."]}
            )
        return genres
