"""Who a listing is for (language, region, adult content, flags) and the page a list service returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

SOURCE_TMDB = "tmdb"
SOURCE_LOCAL = "local"


@dataclass(frozen=True)
class Audience:
    """The reader of a listing: response language, region, adult opt-in, and the user for flags."""

    user: Any = None
    language: str = ""
    region: str = ""
    include_adult: bool = False

    @property
    def effective_language(self) -> str:
        return self.language or settings.TMDB_DEFAULT_LANGUAGE

    @property
    def is_default_language(self) -> bool:
        return self.effective_language == settings.TMDB_DEFAULT_LANGUAGE

    @classmethod
    def for_request(cls, request, *, language: str = "", region: str = "") -> Audience:
        """The audience the view cache keyed this request by (`request.shared_audience`: a page
        shared by every reader of it, rendered without personal flags), else the user's."""
        shared = getattr(request, "shared_audience", None)
        if shared is None:
            return cls.for_user(request.user, language=language, region=region)
        return cls(
            user=None,
            language=language or shared.language,
            region=region or shared.region,
            include_adult=shared.include_adult,
        )

    @classmethod
    def for_user(cls, user, *, language: str = "", region: str = "") -> Audience:
        """Query parameters first, then the user's Profile, then the configured default."""
        profile = _profile(user)
        return cls(
            user=user if getattr(user, "is_authenticated", False) else None,
            language=language or (profile.language if profile else "") or settings.TMDB_DEFAULT_LANGUAGE,
            region=region or (profile.region if profile else ""),
            include_adult=bool(profile and profile.include_adult),
        )


def _profile(user):
    if not getattr(user, "is_authenticated", False):
        return None
    preferences = getattr(user, "cached_preferences", None)  # a user authenticated from cache
    if preferences is not None:
        return preferences
    from apps.users.models import Profile

    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


@dataclass
class MoviePage:
    """One page of movies, from TMDb's lists (stored locally first) or from the local catalog."""

    movies: list
    page: int
    page_size: int
    total_pages: int
    total_results: int
    source: str = SOURCE_LOCAL
    notes: dict = field(default_factory=dict)
    # Known to be less than the real answer (TMDb down, genres unknown): cached for seconds only.
    degraded: bool = False
