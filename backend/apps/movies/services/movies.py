"""MovieService: TMDb-backed lists stored locally, on-demand details, syncs; local fallbacks."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core import cache
from core.cache import keys
from core.cache.ttl import TTL
from core.exceptions import NotFound, UpstreamUnavailable, ValidationFailed
from core.mixins.models import SyncStatus
from core.services.tmdb import Policy, TMDbClient, get_client
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import (
    TMDbBadRequest,
    TMDbError,
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbUnauthorized,
    TMDbUnavailable,
)

from ..models import Movie
from . import catalog
from .audience import SOURCE_TMDB, Audience, MoviePage
from .catalog import LOCAL_ORDERINGS, catalog_queryset, local_discover
from .writer import CatalogWriter

logger = logging.getLogger(__name__)

MAX_TMDB_ID = 2**31 - 1
TMDB_PAGE_SIZE = 20
MAX_RETRY_AFTER = 300


def upstream_unavailable(exc: TMDbError) -> UpstreamUnavailable:
    """The API error for a TMDb failure; TMDb's Retry-After is passed on (1 s to 5 min)."""
    retry_after = min(MAX_RETRY_AFTER, max(1, math.ceil(exc.retry_after))) if exc.retry_after else None
    return UpstreamUnavailable(retry_after=retry_after)


class MovieService:
    """Movie operations; TMDb is reached only through the injected client (default: the shared one)."""

    def __init__(self, *, tmdb: TMDbClient | None = None, writer: CatalogWriter | None = None):
        self.tmdb = tmdb or get_client()
        self.writer = writer or CatalogWriter.for_client(self.tmdb)

    # --- one movie -------------------------------------------------------------------------
    def get_movie(self, *, tmdb_id: int) -> Movie:
        """Known active → database; known gone → NotFound; unknown → fetched from TMDb and stored."""
        _check_id(tmdb_id)
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        if movie is not None and movie.is_active:
            return movie
        self._store_missing(tmdb_id, movie)
        return Movie.objects.get(tmdb_id=tmdb_id)

    def _store_missing(self, tmdb_id: int, movie: Movie | None) -> None:
        """Unknown: fetched and stored. Reported gone by TMDb: asked again (TMDb's 404 is cached
        5 min) and restored if back. Hidden by staff, or no TMDb to ask: NotFound."""
        if movie is None and not self.tmdb.configured:
            # The embedded demo: the local catalog is all there is, so unknown means not found.
            raise NotFound(f"Movie {tmdb_id} is not in the local catalog (TMDb is not configured).")
        if movie is not None and (movie.sync_status != SyncStatus.GONE or not self.tmdb.configured):
            raise NotFound(f"Movie {tmdb_id} not found.")
        try:
            self._sync(tmdb_id, fresh=False)
        except UpstreamUnavailable as exc:
            if movie is not None:  # still gone as far as anyone knows
                raise NotFound(f"Movie {tmdb_id} not found.") from exc
            raise

    def find_by_imdb_id(self, *, imdb_id: str) -> Movie | None:
        """The movie under an IMDb `tt` id: stored already, else TMDb's /find (stored as a list row)."""
        movie = Movie.objects.active().filter(imdb_id=imdb_id).first()
        if movie is not None:
            return movie
        results = self._upstream(lambda: self.tmdb.find(imdb_id, policy=Policy.BATCH)).get("movie_results")
        stored = self.writer.store_list_items(parse.page_results({"results": results or []})).pks
        return Movie.objects.active().filter(pk__in=list(stored.values())).first()

    @staticmethod
    def _upstream(call: Callable[[], dict]) -> dict:
        try:
            return call()
        except TMDbNotFound:
            return {}
        except (TMDbUnavailable, TMDbUnauthorized, TMDbNotConfigured) as exc:
            raise upstream_unavailable(exc) from exc

    def get_movie_details(self, *, tmdb_id: int, audience: Audience | None = None) -> Movie:
        """The detail view's movie, read once with its genres and flags: stored on first read, and
        completed from TMDb when only a list row is stored (if TMDb answers)."""
        audience = audience or Audience()
        _check_id(tmdb_id)
        read = Movie.objects.with_genres().with_user_flags(audience.user).filter(tmdb_id=tmdb_id)
        movie = read.first()
        if movie is None or not movie.is_active:
            self._store_missing(tmdb_id, movie)
            movie = read.get()
        elif _needs_completion(movie) and self.tmdb.configured:
            try:
                self._sync(tmdb_id, fresh=False)
                movie = read.get()
            except UpstreamUnavailable:
                logger.info("Serving stored movie %s: TMDb unavailable", tmdb_id)
        self._localize_details(movie, audience)
        return movie

    def sync_movie_from_tmdb(self, *, tmdb_id: int, fresh: bool = True) -> Movie:
        """Full sync in one upstream call (append_to_response); 34 soft-deletes and raises NotFound."""
        self._sync(tmdb_id, fresh=fresh)
        return Movie.objects.with_genres().get(tmdb_id=tmdb_id)

    def _sync(self, tmdb_id: int, *, fresh: bool) -> None:
        _check_id(tmdb_id)
        try:
            payload = self.tmdb.movie_details(tmdb_id, fresh=fresh)
        except TMDbNotFound as exc:
            self.writer.mark_gone(tmdb_id)
            raise NotFound(f"Movie {tmdb_id} not found.") from exc
        except TMDbNotConfigured as exc:
            raise UpstreamUnavailable(
                f"Movie {tmdb_id} cannot be fetched from TMDb: no TMDb credentials are configured."
            ) from exc
        except (TMDbUnavailable, TMDbUnauthorized, TMDbBadRequest) as exc:
            logger.warning("TMDb sync of movie %s failed: %s", tmdb_id, exc)
            self.writer.record_failure(tmdb_id, exc)
            raise upstream_unavailable(exc) from exc
        self._refresh_image_configuration()
        self.writer.store_details({**payload, "id": payload.get("id") or tmdb_id})

    def _refresh_image_configuration(self) -> None:
        """TMDb just answered: make sure /configuration (image sizes, cached 7 days) is cached too."""
        try:
            self.tmdb.configuration()
        except TMDbError as exc:
            logger.info("TMDb /configuration not refreshed: %s", exc)

    def update_movie_data(self, *, data: dict, movie: Movie | None = None) -> Movie:
        """Store a details payload through the catalog writer (idempotent upsert by tmdb_id)."""
        if movie is not None and int(data.get("id") or movie.tmdb_id) != movie.tmdb_id:
            raise ValueError("payload is for another movie")
        tmdb_id = self.writer.store_details({**data, "id": int(data.get("id") or movie.tmdb_id)})
        return Movie.objects.with_genres().get(tmdb_id=tmdb_id)

    def _localize_details(self, movie: Movie, audience: Audience) -> None:
        if audience.is_default_language or not self.tmdb.configured:
            return
        try:
            payload = self.tmdb.movie_details(movie.tmdb_id, language=audience.effective_language, append="")
        except TMDbError:
            return
        _overlay(movie, payload)

    # --- TMDb lists ------------------------------------------------------------------------
    def get_popular_movies(self, *, page: int = 1, page_size: int = 20, audience: Audience | None = None):
        return self._movie_list("popular", catalog.popular(), page, page_size, audience)

    def get_top_rated_movies(self, *, page: int = 1, page_size: int = 20, audience: Audience | None = None):
        return self._movie_list("top_rated", catalog.top_rated(), page, page_size, audience)

    def get_now_playing_movies(self, *, page: int = 1, page_size: int = 20, audience: Audience | None = None):
        return self._movie_list("now_playing", catalog.now_playing(), page, page_size, audience)

    def get_upcoming_movies(self, *, page: int = 1, page_size: int = 20, audience: Audience | None = None):
        return self._movie_list("upcoming", catalog.upcoming(), page, page_size, audience)

    def _movie_list(
        self, kind: str, local, page: int, page_size: int, audience: Audience | None
    ) -> MoviePage:
        """One of TMDb's movie lists (popular, top_rated, now_playing, upcoming); `local` is the fallback."""
        audience = audience or Audience()
        return self._list_page(
            kind,
            lambda: self.tmdb.movie_list(
                kind,
                page=page,
                language=audience.effective_language,
                region=audience.region or None,
                policy=Policy.DIRECT,  # the stored page is the cache: one TTL of lag, not two
            ),
            local=local,
            page=page,
            page_size=page_size,
            audience=audience,
        )

    def get_trending_movies(
        self, *, window: str = "day", page: int = 1, page_size: int = 20, audience: Audience | None = None
    ):
        audience = audience or Audience()
        return self._list_page(
            f"trending_{window}",
            lambda: self.tmdb.trending(
                window=window, page=page, language=audience.effective_language, policy=Policy.DIRECT
            ),
            local=catalog.popular(),
            page=page,
            page_size=page_size,
            audience=audience,
        )

    def search_movies(
        self,
        *,
        query: str,
        page: int = 1,
        page_size: int = 20,
        year: int | None = None,
        sync_results: bool = True,
        audience: Audience | None = None,
    ):
        """TMDb search (results stored when `sync_results`), else the local full-text search."""
        audience = audience or Audience()
        local = Movie.objects.active().search(query)
        if year:
            local = local.filter(release_date__year=year)

        def fetch(policy: Policy = Policy.CACHED) -> dict:
            return self.tmdb.search(
                query=query,
                page=page,
                language=audience.effective_language,
                region=audience.region or None,
                include_adult=audience.include_adult,
                year=year,
                policy=policy,
            )

        if not sync_results:
            return self._unstored_page(fetch, local, page=page, page_size=page_size, audience=audience)
        return self._list_page(
            "search",
            lambda: fetch(Policy.DIRECT),
            local=local,
            page=page,
            page_size=page_size,
            audience=audience,
            key_params={"query": query, "year": year},
        )

    def discover(
        self, *, filters: dict, page: int = 1, page_size: int = 20, audience: Audience | None = None
    ) -> MoviePage:
        """TMDb discover with its own filter names (with_genres, primary_release_year, vote_average.gte …)."""
        audience = audience or Audience()
        return self._list_page(
            "discover",
            lambda: self.tmdb.discover(
                filters=filters,
                page=page,
                language=audience.effective_language,
                region=audience.region or None,
                include_adult=audience.include_adult,
                policy=Policy.DIRECT,
            ),
            local=local_discover(filters),
            page=page,
            page_size=page_size,
            audience=audience,
            key_params=filters,
        )

    def browse_catalog(
        self, *, filters: dict, page: int = 1, page_size: int = 20, audience: Audience | None = None
    ) -> MoviePage:
        """`GET movies/`: the local catalog with filters, ordering and full-text `q`."""
        audience = audience or Audience()
        return self.local_page(catalog_queryset(filters), page=page, page_size=page_size, audience=audience)

    local_page = staticmethod(catalog.local_page)

    def list_local(self, *, ordering: str = "-popularity") -> QuerySet:
        return Movie.objects.active().order_by(*LOCAL_ORDERINGS[ordering])

    # --- machinery -------------------------------------------------------------------------
    def _list_page(
        self, kind, fetch: Callable[[], dict], *, local, page, page_size, audience, key_params=None
    ) -> MoviePage:
        """A TMDb list page, stored locally in one bulk upsert, read back from the database.

        Without credentials, or while TMDb is unavailable, the local catalog answers instead.
        """
        key_params = {"page": page, **(key_params or {})}
        if not self.tmdb.configured:
            return self.local_page(local, page=page, page_size=page_size, audience=audience)
        try:
            stored = self._stored_page(kind, fetch, audience, {**key_params, **_audience_params(audience)})
        except TMDbBadRequest as exc:
            raise ValidationFailed({"page": [exc.message]}) from exc
        except (TMDbUnavailable, TMDbUnauthorized) as exc:
            return self._fallback_page(kind, exc, local, page=page, page_size=page_size, audience=audience)
        result = self._page_from_ids(stored, page=page, audience=audience)
        if not stored.get("complete", True):
            result.notes["incomplete"] = ["genres"]
            result.degraded = True
        return result

    def _fallback_page(self, kind, exc: TMDbError, local, *, page, page_size, audience) -> MoviePage:
        """TMDb is down: the local catalog, marked `upstream: unavailable` and cached for seconds.
        A fallback with nothing to show is a 503, never an empty page that looks like TMDb's."""
        logger.warning("TMDb %s unavailable, serving the local catalog: %s", kind, exc)
        result = self.local_page(local, page=page, page_size=page_size, audience=audience)
        if not result.movies:
            raise upstream_unavailable(exc) from exc
        result.notes["upstream"] = "unavailable"
        result.degraded = True
        return result

    def _stored_page(
        self, kind: str, fetch: Callable[[], dict], audience: Audience, key_params: dict
    ) -> dict:
        """The page's ids/totals; computing it stores the results (so a cache hit costs no writes)."""

        def produce() -> dict:
            payload = fetch()
            self._refresh_image_configuration()
            return self._store_page_payload(payload, audience)

        key = keys.stored_page_key(kind=kind, params=key_params)
        return cache.get_or_set(key, produce, ttl=TTL.stored_page(kind), ttl_for=_stored_page_ttl(kind))

    def _store_page_payload(self, payload: dict, audience: Audience) -> dict:
        results = parse.page_results(payload)
        stored = self.writer.store_list_items(results, overwrite=audience.is_default_language)
        localized = {}
        if not audience.is_default_language:
            localized = {item["id"]: _localized_fields(item) for item in results}
        return _stored_page_entry(payload, complete=stored.complete, localized=localized)

    def remember_list_pages(self, *, kind: str, pages: list[tuple[int, dict]]) -> None:
        """A sync job read TMDb's list pages itself: store their movies (one write for all pages)
        and make them the pages readers get (default audience), so the served order follows
        TMDb's as of the sync, not the page TTL."""
        audience = Audience()
        results = [item for _, payload in pages for item in parse.page_results(payload)]
        complete = self.writer.store_list_items(results, overwrite=True).complete
        for page, payload in pages:
            stored = _stored_page_entry(payload, complete=complete, localized={})
            key = keys.stored_page_key(kind=kind, params={"page": page, **_audience_params(audience)})
            cache.set(key, stored, ttl=_stored_page_ttl(kind)(stored))
        if complete:
            cache.invalidate_catalog_lists()  # the cached answers built from the old pages

    def _page_from_ids(self, stored: dict, *, page: int, audience: Audience) -> MoviePage:
        ids = stored["ids"]
        queryset = (
            Movie.objects.active().filter(tmdb_id__in=ids).for_audience(include_adult=audience.include_adult)
        )
        by_id = {movie.tmdb_id: movie for movie in queryset.with_genres().with_user_flags(audience.user)}
        movies = [by_id[i] for i in ids if i in by_id]
        for movie in movies:
            _overlay(
                movie, stored["localized"].get(movie.tmdb_id) or stored["localized"].get(str(movie.tmdb_id))
            )
        return MoviePage(
            movies=movies,
            page=page,
            page_size=TMDB_PAGE_SIZE,
            total_pages=stored["total_pages"],
            total_results=stored["total_results"],
            source=SOURCE_TMDB,
        )

    def _unstored_page(self, fetch, local, *, page, page_size, audience) -> MoviePage:
        """Search without storing: only results already in the catalog are returned, in TMDb's order."""
        if not self.tmdb.configured:
            return self.local_page(local, page=page, page_size=page_size, audience=audience)
        try:
            payload = fetch()
        except TMDbError as exc:
            raise upstream_unavailable(exc) from exc
        stored = _stored_page_entry(payload, complete=True, localized={})
        return self._page_from_ids(stored, page=page, audience=audience)


def _stored_page_entry(payload: dict, *, complete: bool, localized: dict) -> dict:
    """What the service cache keeps of a stored TMDb list page: its ids and totals."""
    total_pages, total_results = parse.page_totals(payload)
    return {
        "ids": [item["id"] for item in parse.page_results(payload)],
        "total_pages": total_pages,
        "total_results": total_results,
        "localized": localized,
        "complete": complete,
    }


def _stored_page_ttl(kind: str) -> Callable[[dict], float]:
    """A page whose movies could not all get their genres is kept for seconds, not the full TTL."""
    return lambda page: TTL.stored_page(kind) if page.get("complete", True) else settings.CACHE_TTL_DEGRADED


def _audience_params(audience: Audience) -> dict:
    return {
        "language": audience.effective_language,
        "region": audience.region,
        "adult": int(audience.include_adult),
    }


def _localized_fields(item: dict) -> dict:
    return {"title": item.get("title") or "", "overview": item.get("overview") or ""}


def _overlay(movie: Movie, localized: dict | None) -> None:
    """Show TMDb's localized title/overview/tagline without storing them."""
    for name in ("title", "overview", "tagline"):
        value = (localized or {}).get(name)
        if value:
            setattr(movie, name, value)


def _needs_completion(movie: Movie) -> bool:
    """Only a list row is stored (or its completion failed and the back-off has passed)."""
    if movie.sync_status in (SyncStatus.PARTIAL, SyncStatus.PENDING):
        return True
    due = movie.next_sync_attempt_at is None or movie.next_sync_attempt_at <= timezone.now()
    return movie.sync_status == SyncStatus.FAILED and due and not movie.last_synced_at


def _check_id(tmdb_id: int) -> None:
    if not isinstance(tmdb_id, int) or not 1 <= tmdb_id <= MAX_TMDB_ID:
        raise NotFound(f"Movie {tmdb_id} not found.")
