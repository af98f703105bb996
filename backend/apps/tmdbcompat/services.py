"""TMDbCompatService: TMDb v3 movie reads answered from the mirror through the catalog services."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from apps.movies.models import Movie, RecommendationType
from apps.movies.params import DISCOVER_FILTERS, DiscoverParams, discover_filters
from apps.movies.services import Audience, GenreService, MoviePage, MovieService, RecommendationService
from core import cache
from core.cache import keys
from core.exceptions import NotFound, ServiceUnavailable, Throttled, ValidationFailed
from core.services.tmdb import TMDbClient, budget, get_client
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import TMDbError, TMDbNotFound
from core.services.tmdb.images import image_config

from . import shapes

logger = logging.getLogger(__name__)

PAGE_SIZE = 20  # TMDb's fixed page size
CHANGES_PAGE_SIZE = 100  # /movie/changes pages hold 100 ids on TMDb
MAX_APPEND = 20  # TMDb reads at most 20 append_to_response names
IMDB_ID = re.compile(r"^tt\d{1,10}$")
LISTS = ("popular", "top_rated", "now_playing", "upcoming")
RELATED = {"recommendations": RecommendationType.RECOMMENDATION, "similar": RecommendationType.SIMILAR}


class TMDbCompatService:
    """Each method returns the body TMDb would; catalog errors propagate (NotFound, UpstreamUnavailable)."""

    def __init__(self, *, tmdb: TMDbClient | None = None):
        self.tmdb = tmdb or get_client()
        # Set when an answer is known to be less than TMDb's (TMDb down, genres missing): cached briefly.
        self.degraded = False
        self.movies = MovieService(tmdb=self.tmdb)
        self.related = RecommendationService(tmdb=self.tmdb, movies=self.movies)

    # --- static ----------------------------------------------------------------------------
    def configuration(self) -> dict:
        """TMDb's /configuration (cached 7 days); TMDb's published image sizes while it cannot be had."""
        if self.tmdb.configured:
            try:
                return self.tmdb.configuration()
            except TMDbError as exc:
                logger.info("TMDb /configuration unavailable, serving the defaults: %s", exc)
        images = image_config()
        return {
            "images": {"base_url": images["secure_base_url"].replace("https:", "http:", 1), **images},
            "change_keys": shapes.CHANGE_KEYS,
        }

    def genres(self, *, audience: Audience) -> dict:
        """The stored genres in TMDb's order, named in the audience's language."""
        genres = GenreService(tmdb=self.tmdb).list_genres()
        names = self.genre_names(audience)
        return {
            "genres": [
                {"id": genre.tmdb_id, "name": names.get(genre.tmdb_id, genre.name)} for genre in genres
            ]
        }

    def genre_names(self, audience: Audience) -> dict[int, str]:
        """Genre names in the audience's language, from TMDb's genre list in that language (the
        client caches it 7 days per language; nothing is stored). Empty for the default language
        (the stored names are those) and while TMDb cannot be had (then the answer is degraded)."""
        if audience.is_default_language or not self.tmdb.configured:
            return {}
        language = audience.effective_language
        try:
            if cache.get(keys.genres_key(language=language)) is None:
                # The client does not charge genre lists (the default language's is a sync's);
                # one per language a key may ask for is charged to the key like any other read.
                budget.charge()
            payload = self.tmdb.genres(language=language)
        except (TMDbError, Throttled) as exc:  # TMDb away, or this key's share of it spent
            logger.info("TMDb genre names in %s unavailable: %s", language, exc)
            self.degraded = True
            return {}
        return {
            genre["id"]: genre["name"]
            for genre in payload.get("genres") or []
            if isinstance(genre, dict) and isinstance(genre.get("id"), int) and genre.get("name")
        }

    # --- one movie -------------------------------------------------------------------------
    def details(self, *, tmdb_id: int, audience: Audience, append: str = "") -> dict:
        movie = self.movies.get_movie_details(tmdb_id=tmdb_id, audience=audience)
        body = shapes.details(movie, genre_names=self.genre_names(audience))
        for name in _append_names(append):
            if name in shapes.SUB_RESOURCES:
                body[name] = shapes.appended(name, movie)
            elif name in RELATED:
                body[name] = self.related_page(tmdb_id=tmdb_id, kind=name, page=1, audience=audience)
        return body

    def sub_resource(self, *, tmdb_id: int, name: str, audience: Audience) -> dict:
        movie = self.movies.get_movie_details(tmdb_id=tmdb_id, audience=audience)
        return shapes.SUB_RESOURCES[name](movie)

    def related_page(self, *, tmdb_id: int, kind: str, page: int, audience: Audience) -> dict:
        result = self.related.get_related_page(
            tmdb_id=tmdb_id, relation_type=RELATED[kind], page=page, page_size=PAGE_SIZE, audience=audience
        )
        return shapes.page(result, media_type=kind == "recommendations")

    # --- lists -----------------------------------------------------------------------------
    def movie_list(self, *, kind: str, page: int, audience: Audience) -> dict:
        method = getattr(self.movies, f"get_{kind}_movies")
        result = method(page=page, page_size=PAGE_SIZE, audience=audience)
        return self._page(result, extra=_dates(kind))

    def trending(self, *, window: str, page: int, audience: Audience) -> dict:
        result = self.movies.get_trending_movies(
            window=window, page=page, page_size=PAGE_SIZE, audience=audience
        )
        return self._page(result, media_type=True)

    def search(self, *, query: str, page: int, year: int | None, audience: Audience) -> dict:
        if not query.strip():
            return shapes.page(
                MoviePage(movies=[], page=page, page_size=PAGE_SIZE, total_pages=1, total_results=0)
            )
        result = self.movies.search_movies(
            query=query[:200], page=page, page_size=PAGE_SIZE, year=year, audience=audience
        )
        return self._page(result)

    def discover(self, *, params: dict, page: int, audience: Audience) -> dict:
        result = self.movies.discover(
            filters=_discover_filters(params), page=page, page_size=PAGE_SIZE, audience=audience
        )
        return self._page(result)

    def _page(self, result: MoviePage, **options) -> dict:
        self.degraded = self.degraded or result.degraded
        return shapes.page(result, **options)

    # --- changes and find ------------------------------------------------------------------
    def changes(self, *, start_date: date | None, end_date: date | None, page: int) -> dict:
        """Movies whose mirrored row changed in the window (default: the last 24 hours), as TMDb lists them."""
        end = end_date or timezone.localdate()
        start = start_date or end - timedelta(days=1)
        rows = Movie.objects.filter(updated_at__date__gte=start, updated_at__date__lte=end).order_by(
            "tmdb_id"
        )
        total = rows.count()
        offset = (page - 1) * CHANGES_PAGE_SIZE
        chunk = (
            rows.values_list("tmdb_id", "adult")[offset : offset + CHANGES_PAGE_SIZE]
            if offset < total
            else []
        )
        return {
            "results": [{"id": tmdb_id, "adult": adult} for tmdb_id, adult in chunk],
            "page": page,
            "total_pages": max(1, -(-total // CHANGES_PAGE_SIZE)),
            "total_results": total,
        }

    def find(self, *, external_id: str, source: str, audience: Audience) -> dict:
        """Movies by IMDb id: the mirror first; an unknown id is looked up on TMDb once and stored."""
        if source != "imdb_id" or not IMDB_ID.match(external_id):
            return shapes.find([])
        movies = self._stored_by_imdb(external_id, audience)
        if not movies and self.tmdb.configured:
            self._fetch_by_imdb(external_id)
            movies = self._stored_by_imdb(external_id, audience)
        return shapes.find(movies)

    @staticmethod
    def _stored_by_imdb(imdb_id: str, audience: Audience) -> list[Movie]:
        found = (
            Movie.objects.active().filter(imdb_id=imdb_id).for_audience(include_adult=audience.include_adult)
        )
        return list(found.with_genres().order_by("-popularity", "tmdb_id")[:PAGE_SIZE])

    def _fetch_by_imdb(self, imdb_id: str) -> None:
        try:
            payload = self.tmdb.find(external_id=imdb_id)
        except TMDbNotFound:
            return
        except TMDbError as exc:
            raise ServiceUnavailable(retry_after=int(exc.retry_after) if exc.retry_after else None) from exc
        for item in parse.page_results({"results": payload.get("movie_results")}):
            try:  # stored in full (with its IMDb id) through the catalog's read-through; a list
                # row is completed
                self.movies.get_movie_details(tmdb_id=item["id"])
            except NotFound:
                continue


def _append_names(append: str) -> list[str]:
    names = [name.strip() for name in append.split(",")[:MAX_APPEND]]
    return list(dict.fromkeys(name for name in names if name))


def _dates(kind: str) -> dict | None:
    """now_playing and upcoming say which release dates they cover."""
    today = timezone.localdate()
    if kind == "now_playing":
        since = today - timedelta(days=settings.CATALOG_NOW_PLAYING_DAYS)
        return {"dates": {"maximum": today.isoformat(), "minimum": since.isoformat()}}
    if kind == "upcoming":
        later = today + timedelta(days=30)
        return {"dates": {"maximum": later.isoformat(), "minimum": (today + timedelta(days=1)).isoformat()}}
    return None


def _discover_filters(params: dict) -> dict:
    """TMDb's discover parameters this mirror honours; unknown names and unusable values are ignored, as on TMDb."""
    known = {name: value for name, value in params.items() if name in DISCOVER_FILTERS}
    for _ in range(len(known) + 1):
        serializer = DiscoverParams(data=known)
        if serializer.is_valid():
            return discover_filters(serializer.validated_data)
        bad = set(serializer.errors) & set(known)
        if not bad:
            break
        known = {name: value for name, value in known.items() if name not in bad}
    raise ValidationFailed(serializer.errors)
