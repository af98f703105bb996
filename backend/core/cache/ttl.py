"""The one table of cache lifetimes (seconds) by kind of data; docs/caching.md mirrors it.

View-level lifetimes are settings (CACHE_TTL_VIEW_*, CACHE_TTL_DEGRADED) because operators tune
them; everything else lives here and nowhere else.
"""

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


class TTL:
    """Fresh lifetimes. Each value is also kept as long again as stale (served while refreshing)."""

    # service level: TMDb responses read by interactive requests (sync jobs never read these)
    TMDB_DETAIL = 24 * HOUR  # a movie's details change rarely; a resync replaces them
    TMDB_LIST = 1 * HOUR  # popular / top rated / now playing / upcoming pages, related lists
    TMDB_DISCOVER = 1 * HOUR
    TMDB_TRENDING = 15 * MINUTE  # trending moves fastest
    TMDB_SEARCH = 30 * MINUTE
    TMDB_STATIC = 7 * DAY  # genres and /configuration change a few times a year
    TMDB_NEGATIVE = 5 * MINUTE  # "not found" (34), so a bad or gone id does not hammer TMDb
    # service level: a TMDb list page as stored in the catalog (its ids and totals). The page's
    # own TMDb response is not cached besides (one TTL of lag behind TMDb, not two).
    STORED_LIST = TMDB_LIST
    STORED_TRENDING = TMDB_TRENDING
    STORED_SEARCH = TMDB_SEARCH
    # query level: per-user aggregates, bumped on every change of the user's lists (a backstop)
    QUERY_USER_STATS = 1 * HOUR
    QUERY_HISTORY_STATS = 1 * HOUR  # watched-history stats, bumped with the same namespace
    # "for you" also depends on relations stored by catalog syncs, which do not bump the user
    QUERY_FOR_YOU = 10 * MINUTE
    QUERY_USER_FLAGS = 1 * HOUR  # favorite / watchlist / watched ids, under the user's data version
    QUERY_USER_PAGES = 10 * MINUTE  # rendered favorites / watchlist pages, same version
    # query level: the admin changelist's filter choices and genre counts
    QUERY_ADMIN_CHOICES = 5 * MINUTE
    # Namespace version counters (INCR keeps the TTL). One that expires restarts at the current
    # time in ms, above any version it ever had, so expiry only orphans entries, never revives them;
    # and every key has a TTL, so Redis's volatile-lru can evict any of them.
    NAMESPACE = 7 * DAY

    @classmethod
    def stored_page(cls, kind: str) -> int:
        """How long a stored TMDb list page (popular, trending_day, search …) is reused."""
        if kind.startswith("trending"):
            return cls.STORED_TRENDING
        if kind == "search":
            return cls.STORED_SEARCH
        return cls.STORED_LIST
