"""TMDbClient: one method per TMDb endpoint; the caller picks the cache policy of each call."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from django.conf import settings

from core import cache
from core.cache import keys
from core.cache.ttl import TTL

from . import budget
from .base import BaseClient
from .errors import TMDbNotConfigured, TMDbNotFound, TMDbUnavailable

# Path templates (relative to TMDB_BASE_URL, which ends in /3).
CONFIGURATION_PATH = "configuration"
GENRE_LIST_PATH = "genre/movie/list"
MOVIE_DETAILS_PATH = "movie/{tmdb_id}"
MOVIE_LIST_PATHS = {
    "popular": "movie/popular",
    "top_rated": "movie/top_rated",
    "now_playing": "movie/now_playing",
    "upcoming": "movie/upcoming",
}
TRENDING_PATH = "trending/movie/{window}"
SEARCH_PATH = "search/movie"
DISCOVER_PATH = "discover/movie"
RECOMMENDATIONS_PATH = "movie/{tmdb_id}/recommendations"
SIMILAR_PATH = "movie/{tmdb_id}/similar"
CHANGES_PATH = "movie/changes"
FIND_PATH = "find/{external_id}"

# Static data every response needs, fetched by the service itself: never charged to a client.
UNCHARGED_PATHS = frozenset({CONFIGURATION_PATH, GENRE_LIST_PATH})
# One upstream call per full sync.
DETAILS_APPEND = "credits,videos,recommendations,similar,keywords,external_ids"
TRENDING_WINDOWS = ("day", "week")
MAX_UPSTREAM_PAGE = 500


class Policy(StrEnum):
    """How one call uses the cache (Sentry's `get` vs `get_cached`, decided per call)."""

    CACHED = "cached"  # interactive reads: the cached answer, TMDb on a miss; fail fast while TMDb is sick
    REFRESH = "refresh"  # a resync: always TMDb, and the answer replaces the cached one
    DIRECT = "direct"  # always TMDb, nothing cached (the caller caches what it made of it); fail fast
    BATCH = "batch"  # sync jobs: always TMDb, nothing cached, no fail-fast cooldown (one movie TMDb
    # cannot serve must not turn into a run of failures for the movies after it)


class TMDbClient(BaseClient):
    """TMDb API v3. Failures are typed TMDbError subclasses; each method takes a `policy`."""

    def default_language(self) -> str:
        return settings.TMDB_DEFAULT_LANGUAGE

    # --- static data -----------------------------------------------------------------------
    def configuration(self) -> dict:
        return self._cached(keys.configuration_key(), TTL.TMDB_STATIC, CONFIGURATION_PATH, {})

    def genres(self, *, language: str | None = None, policy: Policy = Policy.CACHED) -> dict:
        language = language or self.default_language()
        return self._cached(
            keys.genres_key(language=language),
            TTL.TMDB_STATIC,
            GENRE_LIST_PATH,
            {"language": language},
            policy=policy,
        )

    # --- one movie -------------------------------------------------------------------------
    def movie_details(
        self,
        tmdb_id: int,
        *,
        language: str | None = None,
        append: str = DETAILS_APPEND,
        fresh: bool = False,
        policy: Policy | None = None,
    ) -> dict:
        """`fresh=True` is `policy=Policy.REFRESH`."""
        language = language or self.default_language()
        key = keys.movie_details_key(tmdb_id=tmdb_id, language=language, append=append)
        params = {"language": language, "append_to_response": append}
        path = MOVIE_DETAILS_PATH.format(tmdb_id=int(tmdb_id))
        policy = policy or (Policy.REFRESH if fresh else Policy.CACHED)
        return self._cached(key, TTL.TMDB_DETAIL, path, params, policy=policy)

    def recommendations(self, tmdb_id: int, *, page: int = 1, language: str | None = None) -> dict:
        return self._related(RECOMMENDATIONS_PATH, "recommendations", tmdb_id, page, language)

    def similar(self, tmdb_id: int, *, page: int = 1, language: str | None = None) -> dict:
        return self._related(SIMILAR_PATH, "similar", tmdb_id, page, language)

    def _related(self, template: str, kind: str, tmdb_id: int, page: int, language: str | None) -> dict:
        params = {"page": page, "language": language or self.default_language()}
        key = keys.related_key(tmdb_id=tmdb_id, kind=kind, params=params)
        return self._cached(key, TTL.TMDB_LIST, template.format(tmdb_id=int(tmdb_id)), params)

    # --- lists -----------------------------------------------------------------------------
    def movie_list(
        self,
        kind: str,
        *,
        page: int = 1,
        language: str | None = None,
        region: str | None = None,
        policy: Policy = Policy.CACHED,
    ) -> dict:
        """popular, top_rated, now_playing or upcoming."""
        params = {"page": page, "language": language or self.default_language(), "region": region}
        key = keys.movie_list_key(kind=kind, params=params)
        return self._cached(key, TTL.TMDB_LIST, MOVIE_LIST_PATHS[kind], params, policy=policy)

    def popular(self, **kwargs) -> dict:
        return self.movie_list("popular", **kwargs)

    def top_rated(self, **kwargs) -> dict:
        return self.movie_list("top_rated", **kwargs)

    def now_playing(self, **kwargs) -> dict:
        return self.movie_list("now_playing", **kwargs)

    def upcoming(self, **kwargs) -> dict:
        return self.movie_list("upcoming", **kwargs)

    def trending(
        self,
        *,
        window: str = "day",
        page: int = 1,
        language: str | None = None,
        policy: Policy = Policy.CACHED,
    ) -> dict:
        if window not in TRENDING_WINDOWS:
            raise ValueError(f"window must be one of {TRENDING_WINDOWS}")
        params = {"page": page, "language": language or self.default_language()}
        key = keys.movie_list_key(kind=f"trending_{window}", params=params)
        path = TRENDING_PATH.format(window=window)
        return self._cached(key, TTL.TMDB_TRENDING, path, params, policy=policy)

    def search(
        self,
        *,
        query: str,
        page: int = 1,
        language: str | None = None,
        region: str | None = None,
        include_adult: bool = False,
        year: int | None = None,
        policy: Policy = Policy.CACHED,
    ) -> dict:
        params = {
            "query": query,
            "page": page,
            "language": language or self.default_language(),
            "region": region,
            "include_adult": "true" if include_adult else "false",
            "year": year,
        }
        return self._cached(
            keys.search_key(params=params), TTL.TMDB_SEARCH, SEARCH_PATH, params, policy=policy
        )

    def discover(
        self,
        *,
        filters: dict | None = None,
        page: int = 1,
        language: str | None = None,
        region: str | None = None,
        include_adult: bool = False,
        policy: Policy = Policy.CACHED,
    ) -> dict:
        params = {
            **(filters or {}),
            "page": page,
            "language": language or self.default_language(),
            "region": region,
            "include_adult": "true" if include_adult else "false",
        }
        key = keys.discover_key(params=params)
        return self._cached(key, TTL.TMDB_DISCOVER, DISCOVER_PATH, params, policy=policy)

    def changes(self, *, start_date: str | None = None, end_date: str | None = None, page: int = 1) -> dict:
        """The changes feed is read only by sync runs, and never from a cache (a change shows at once)."""
        params = {"start_date": start_date, "end_date": end_date, "page": page}
        return self._cached(keys.changes_key(params=params), 0, CHANGES_PATH, params, policy=Policy.BATCH)

    def find(
        self, external_id: str, *, external_source: str = "imdb_id", policy: Policy = Policy.CACHED
    ) -> dict:
        """TMDb's /find: what TMDb holds under another site's id (imports resolve IMDb `tt` ids)."""
        params = {"external_source": external_source, "language": self.default_language()}
        path = FIND_PATH.format(external_id=external_id)
        key = keys.find_key(external_id=external_id, params=params)
        # An IMDb id points at one TMDb movie for good: cached as long as a movie's details.
        return self._cached(key, TTL.TMDB_DETAIL, path, params, policy=policy)

    # --- the cache policy ------------------------------------------------------------------
    def _cached(self, key: str, ttl: int, path: str, params: dict, *, policy: Policy = Policy.CACHED) -> dict:
        """GET under `policy`: negative answers are cached briefly for interactive reads, and a sick
        TMDb is not called again at once by them."""
        negative_key = f"{key}:404"
        if policy == Policy.CACHED and cache.get(negative_key) is not None:
            raise TMDbNotFound(path=path, http_status=404, tmdb_code=34)
        fetch = self._fetcher(path, params, negative_key, fail_fast=policy != Policy.BATCH)
        if policy in (Policy.DIRECT, Policy.BATCH):
            return fetch()
        if policy == Policy.REFRESH:
            value = fetch()
            cache.set(key, value, ttl=ttl)
            return value
        return cache.get_or_set(key, fetch, ttl=ttl)

    def _fetcher(self, path: str, params: dict, negative_key: str, *, fail_fast: bool) -> Callable[[], dict]:
        def fetch() -> dict:
            if fail_fast:
                self._check_cooldown(path)
                if path not in UNCHARGED_PATHS:
                    budget.charge()  # the client that asked pays for the call (429 past its share)
            try:
                return self.get(path, params)
            except TMDbNotFound:
                cache.set(negative_key, True, ttl=TTL.TMDB_NEGATIVE)
                raise
            except TMDbNotConfigured:
                raise
            except TMDbUnavailable as exc:
                if fail_fast:
                    self._start_cooldown(exc)
                raise

        return fetch

    @staticmethod
    def _check_cooldown(path: str) -> None:
        until = cache.get(keys.upstream_cooldown_key())
        if until is None:
            return
        remaining = float(until) - time.time()
        if remaining > 0:
            raise TMDbUnavailable(
                "TMDb is cooling down after failures.", retry_after=max(1.0, remaining), path=path
            )

    @staticmethod
    def _start_cooldown(exc: TMDbUnavailable) -> None:
        seconds = settings.TMDB_FAILURE_COOLDOWN
        if seconds <= 0:
            return
        if exc.retry_after:
            seconds = min(max(seconds, exc.retry_after), 300)
        cache.set(keys.upstream_cooldown_key(), time.time() + seconds, ttl=max(1, int(seconds + 1)))
        exc.retry_after = exc.retry_after or seconds


_client: TMDbClient | None = None


def get_client() -> TMDbClient:
    """The process-wide client (it reads settings at call time, so overrides apply)."""
    global _client
    if _client is None:
        _client = TMDbClient()
    return _client
