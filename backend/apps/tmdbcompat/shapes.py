"""Catalog rows rendered in TMDb v3's exact shapes: list items, details, sub-resources, pages."""

from __future__ import annotations

from apps.movies.models import Movie
from apps.movies.services import MoviePage
from core.services.tmdb import movies as parse

MAX_PAGE = 500
# TMDb's /configuration `change_keys`, in its order (served while TMDb's own answer cannot be had).
CHANGE_KEYS = [
    "adult",
    "air_date",
    "also_known_as",
    "alternative_titles",
    "biography",
    "birthday",
    "budget",
    "cast",
    "certifications",
    "character_names",
    "created_by",
    "crew",
    "deathday",
    "episode",
    "episode_number",
    "episode_run_time",
    "freebase_id",
    "freebase_mid",
    "general",
    "genres",
    "guest_stars",
    "homepage",
    "images",
    "imdb_id",
    "languages",
    "name",
    "network",
    "origin_country",
    "original_name",
    "original_title",
    "overview",
    "parts",
    "place_of_birth",
    "plot_keywords",
    "production_code",
    "production_companies",
    "production_countries",
    "releases",
    "revenue",
    "runtime",
    "season",
    "season_number",
    "season_regular",
    "spoken_languages",
    "status",
    "tagline",
    "title",
    "translations",
    "tvdb_id",
    "tvrage_id",
    "type",
    "video",
    "videos",
]
EXTERNAL_ID_KEYS = ("imdb_id", "wikidata_id", "facebook_id", "instagram_id", "twitter_id")


def _path(value: str) -> str | None:
    return value or None


def _date(movie: Movie) -> str:
    return movie.release_date.isoformat() if movie.release_date else ""


def genre_ids(movie: Movie) -> list[int]:
    """The movie's genres in TMDb's order (prefetched by `with_genres()`)."""
    return [genre.tmdb_id for genre in movie.genres.all()]


def list_item(movie: Movie, *, media_type: bool = False) -> dict:
    item = {
        "adult": movie.adult,
        "backdrop_path": _path(movie.backdrop_path),
        "genre_ids": genre_ids(movie),
        "id": movie.tmdb_id,
        "original_language": movie.original_language,
        "original_title": movie.original_title,
        "overview": movie.overview,
        "popularity": float(movie.popularity),
        "poster_path": _path(movie.poster_path),
        "release_date": _date(movie),
        "title": movie.title,
        "video": bool(_extras(movie).get("video", False)),
        "vote_average": float(movie.vote_average),
        "vote_count": int(movie.vote_count),
    }
    if media_type:  # trending, recommendations and find say what kind each result is
        item = {
            "adult": item.pop("adult"),
            "backdrop_path": item.pop("backdrop_path"),
            "media_type": "movie",
            **item,
        }
    return item


def page(result: MoviePage, *, media_type: bool = False, extra: dict | None = None) -> dict:
    """TMDb's page object; totals are capped at 500 pages as TMDb does."""
    return {
        **(extra or {}),
        "page": result.page,
        "results": [list_item(movie, media_type=media_type) for movie in result.movies],
        "total_pages": min(MAX_PAGE, max(1, result.total_pages)),
        "total_results": result.total_results,
    }


def _extras(movie: Movie) -> dict:
    return (movie.metadata or {}).get("details") or {}


def details(movie: Movie, *, genre_names: dict[int, str] | None = None) -> dict:
    """`genre_names`: the genres' names in the asked language (else the stored ones)."""
    extras = _extras(movie)
    names = genre_names or {}
    return {
        "adult": movie.adult,
        "backdrop_path": _path(movie.backdrop_path),
        "belongs_to_collection": extras.get("belongs_to_collection"),
        "budget": int(movie.budget),
        "genres": [
            {"id": genre.tmdb_id, "name": names.get(genre.tmdb_id, genre.name)}
            for genre in movie.genres.all()
        ],
        "homepage": movie.homepage,
        "id": movie.tmdb_id,
        "imdb_id": movie.imdb_id or None,
        "origin_country": extras.get("origin_country") or [],
        "original_language": movie.original_language,
        "original_title": movie.original_title,
        "overview": movie.overview,
        "popularity": float(movie.popularity),
        "poster_path": _path(movie.poster_path),
        "production_companies": extras.get("production_companies") or [],
        "production_countries": extras.get("production_countries") or [],
        "release_date": _date(movie),
        "revenue": int(movie.revenue),
        "runtime": movie.runtime or 0,
        "spoken_languages": extras.get("spoken_languages") or [],
        "status": movie.status,
        "tagline": movie.tagline,
        "title": movie.title,
        "video": bool(extras.get("video", False)),
        "vote_average": float(movie.vote_average),
        "vote_count": int(movie.vote_count),
    }


def credits(movie: Movie) -> dict:
    stored = (movie.metadata or {}).get("credits") or {}
    return {
        "id": movie.tmdb_id,
        "cast": [_complete(p, parse.CAST_KEYS) for p in stored.get("cast") or []],
        "crew": [_complete(p, parse.CREW_KEYS) for p in stored.get("crew") or []],
    }


def videos(movie: Movie) -> dict:
    stored = (movie.metadata or {}).get("videos") or []
    return {"id": movie.tmdb_id, "results": [_complete(v, parse.VIDEO_KEYS) for v in stored]}


def keywords(movie: Movie) -> dict:
    return {"id": movie.tmdb_id, "keywords": (movie.metadata or {}).get("keywords") or []}


def external_ids(movie: Movie) -> dict:
    stored = (movie.metadata or {}).get("external_ids") or {}
    ids = {name: stored.get(name) for name in EXTERNAL_ID_KEYS}
    ids["imdb_id"] = ids["imdb_id"] or movie.imdb_id or None
    return {"id": movie.tmdb_id, **ids}


def _complete(stored: dict, names: tuple[str, ...]) -> dict:
    """A stored entry with every key TMDb sends (an entry stored before all were kept has nulls)."""
    return {name: stored.get(name) for name in names}


# Sub-resources: standalone they carry the movie's `id`; appended to details they do not.
SUB_RESOURCES = {"credits": credits, "videos": videos, "keywords": keywords, "external_ids": external_ids}


def appended(name: str, movie: Movie) -> dict:
    return {key: value for key, value in SUB_RESOURCES[name](movie).items() if key != "id"}


def find(movies: list[Movie]) -> dict:
    return {
        "movie_results": [list_item(movie, media_type=True) for movie in movies],
        "person_results": [],
        "tv_results": [],
        "tv_episode_results": [],
        "tv_season_results": [],
    }
