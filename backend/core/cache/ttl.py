"""Cache lifetimes (seconds) by kind of data and volatility; the one table docs/caching.md mirrors."""

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


class TTL:
    """Fresh lifetimes. Each value is also kept as long again as stale (served while refreshing)."""

    # service level: TMDb responses
    TMDB_DETAIL = 24 * HOUR  # a movie's details change rarely; a resync deletes them anyway
    TMDB_LIST = 1 * HOUR  # popular / top rated / now playing / upcoming / discover pages
    TMDB_TRENDING = 15 * MINUTE  # trending moves fastest
    TMDB_SEARCH = 30 * MINUTE
    TMDB_GENRES = 7 * DAY  # genres and /configuration almost never change (also kept in L1)
    TMDB_CONFIGURATION = 7 * DAY
    TMDB_NEGATIVE = 5 * MINUTE  # "not found" / upstream failures, so a sick upstream is not hammered
    # query level: per-user aggregates (bumped on every favorite change, so this is only a backstop)
    QUERY_USER_STATS = 10 * MINUTE
