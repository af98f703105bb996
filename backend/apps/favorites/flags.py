"""A signed-in reader's flags: which movies are in their favorites, their watchlist, their history.

Cached per user under their data version (one value, three queries to build, in this process's
memory and in Redis), so a catalog page served to them from the shared cache gets its
is_favorite / in_watchlist / watched spliced in with no SQL (core.cache.personal). Any write of
theirs bumps the version (core.cache.invalidate_user): their next request, on any process, reads
the new flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.apps import apps as django_apps

from core import cache
from core.cache import keys
from core.cache.personal import Reader, flag_fragment
from core.cache.ttl import TTL

from .models import Favorite, WatchlistItem

TRUE_FAVORITE = flag_fragment("is_favorite", True)
TRUE_WATCHLIST = flag_fragment("in_watchlist", True)


@dataclass(frozen=True)
class Flags:
    """TMDb ids of the user's current favorites and watchlist; watched: id -> (last date, rating)."""

    favorites: frozenset[int] = frozenset()
    watchlist: frozenset[int] = frozenset()
    watched: dict[int, tuple[str, int | None]] = field(default_factory=dict)

    def watched_value(self, tmdb_id: int) -> dict | None:
        seen = self.watched.get(tmdb_id)
        return None if seen is None else {"date": seen[0], "rating": seen[1]}

    def patches(self, ids: Sequence[int]) -> dict[int, dict[str, bytes]]:
        """The rendered flags of the movies among `ids` this user has flagged (core.cache.personal)."""
        found: dict[int, dict[str, bytes]] = {}
        for tmdb_id in ids:
            patch = {}
            if tmdb_id in self.favorites:
                patch["is_favorite"] = TRUE_FAVORITE
            if tmdb_id in self.watchlist:
                patch["in_watchlist"] = TRUE_WATCHLIST
            if tmdb_id in self.watched:
                patch["watched"] = flag_fragment("watched", self.watched_value(tmdb_id))
            if patch:
                found[tmdb_id] = patch
        return found


def load_flags(user_id: int) -> Flags:
    """From the database: three queries."""
    favorites = Favorite.objects.filter(user_id=user_id, is_active=True).values_list(
        "movie__tmdb_id", flat=True
    )
    watchlist = WatchlistItem.objects.filter(user_id=user_id, is_active=True).values_list(
        "movie__tmdb_id", flat=True
    )
    viewing = django_apps.get_model("history", "Viewing")
    watched: dict[int, tuple[str, int | None]] = {}
    rows = (
        viewing.objects.filter(user_id=user_id, is_active=True)
        .order_by("watched_on", "id")
        .values_list("movie__tmdb_id", "watched_on", "rating")
    )
    for tmdb_id, watched_on, rating in rows:  # oldest first: the last date and latest rating win
        previous = watched.get(tmdb_id)
        kept_rating = rating if rating is not None else (previous[1] if previous else None)
        watched[tmdb_id] = (watched_on.isoformat(), kept_rating)
    return Flags(frozenset(favorites), frozenset(watchlist), watched)


def flags_for(user_id: int, version: int | None) -> Flags:
    """The user's flags at data version `version` (None: the cache is away, read the database)."""
    if version is None:
        return load_flags(user_id)
    return cache.get_or_set(
        keys.user_flags(user_id, version),
        lambda: load_flags(user_id),
        ttl=TTL.QUERY_USER_FLAGS,
        level="query",
        l1=True,  # safe in memory: the key holds the version, read from Redis on every request
    )


def resolve_reader(request) -> Reader | None:
    """The view cache's question (core.cache.personal): whose flags, which preferences? None for a
    token that does not authenticate (the view then answers with the 401)."""
    from apps.authentication.authentication import bearer_of

    result = bearer_of(request)
    if result is None:
        return None
    principal, version = result.principal, result.version
    preferences = principal.preferences
    return Reader(
        user_id=principal.user_id,
        language=preferences.language,
        region=preferences.region,
        include_adult=preferences.include_adult,
        flags=lambda: flags_for(principal.user_id, version),
    )
