"""TMDb's response shapes for the local double: configuration, genres, error bodies, movie payloads."""

from __future__ import annotations

from datetime import date, timedelta

API_KEY = "test-tmdb-api-key"
READ_ACCESS_TOKEN = "test-tmdb-read-token"  # noqa: S105 - a fixed test value
PAGE_SIZE = 20
GENRES = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}
# TMDb's own names in other languages (its /genre/movie/list?language=fr and =de), same order.
LOCALIZED_GENRES = {
    "fr": {
        28: "Action", 12: "Aventure", 16: "Animation", 35: "Comédie", 80: "Crime", 99: "Documentaire",
        18: "Drame", 10751: "Familial", 14: "Fantastique", 36: "Histoire", 27: "Horreur", 10402: "Musique",
        9648: "Mystère", 10749: "Romance", 878: "Science-Fiction", 10770: "Téléfilm", 53: "Thriller",
        10752: "Guerre", 37: "Western",
    },
    "de": {
        28: "Action", 12: "Abenteuer", 16: "Animation", 35: "Komödie", 80: "Krimi", 99: "Dokumentarfilm",
        18: "Drama", 10751: "Familie", 14: "Fantasy", 36: "Historie", 27: "Horror", 10402: "Musik",
        9648: "Mystery", 10749: "Liebesfilm", 878: "Science Fiction", 10770: "TV-Film", 53: "Thriller",
        10752: "Kriegsfilm", 37: "Western",
    },
}  # fmt: skip


def genre_name(genre_id: int, language: str | None = None) -> str:
    """TMDb's name of a genre in `language` ("fr", "de-DE" …; English otherwise)."""
    localized = LOCALIZED_GENRES.get((language or "en")[:2], {})
    return localized.get(genre_id) or GENRES.get(genre_id, f"Genre {genre_id}")


def genre_list(language: str | None = None) -> dict:
    """TMDb's /genre/movie/list body in `language`."""
    return {"genres": [{"id": gid, "name": genre_name(gid, language)} for gid in GENRES]}


LIST_ITEM_KEYS = (
    "adult",
    "backdrop_path",
    "genre_ids",
    "id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "release_date",
    "title",
    "video",
    "vote_average",
    "vote_count",
)
# TMDb's /configuration change_keys, all of them, in its order.
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
CONFIGURATION = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": CHANGE_KEYS,
}
ERROR_MESSAGES = {
    9: "Service offline - This service is temporarily offline, try again later.",
    6: "Invalid id: The pre-requisite id is invalid or not found.",
    7: "Invalid API key: You must be granted a valid key.",
    22: "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.",
    25: "Your request count (#) is over the allowed limit of (40).",
    34: "The resource you requested could not be found.",
    43: "Couldn't connect to the backend server.",
    46: "The API is undergoing maintenance. Try again later.",
}


def error_body(tmdb_code: int) -> dict:
    return {
        "success": False,
        "status_code": tmdb_code,
        "status_message": ERROR_MESSAGES.get(tmdb_code, "TMDb error."),
    }


def list_item(movie: dict) -> dict:
    """A list result in TMDb's key order (genre_ids after backdrop_path)."""
    genre_ids = [genre["id"] for genre in movie.get("genres", [])]
    return {key: genre_ids if key == "genre_ids" else movie.get(key) for key in LIST_ITEM_KEYS}


def movie_payload(tmdb_id: int, **overrides) -> dict:
    """A /movie/{id} body with every appendable key TMDb offers, in TMDb's shapes."""
    title = overrides.pop("title", f"Movie {tmdb_id}")
    genre_ids = overrides.pop("genre_ids", [18])
    released = (date(2020, 1, 1) + timedelta(days=tmdb_id % 1500)).isoformat()
    movie = {
        "adult": False,
        "backdrop_path": f"/backdrop{tmdb_id}.jpg",
        "belongs_to_collection": None,
        "budget": 1_000_000,
        "genres": [{"id": gid, "name": GENRES.get(gid, f"Genre {gid}")} for gid in genre_ids],
        "homepage": f"https://example.com/movie/{tmdb_id}",
        "id": tmdb_id,
        "imdb_id": f"tt{tmdb_id:07d}",
        "origin_country": ["US"],
        "original_language": "en",
        "original_title": title,
        "overview": f"The story of {title}.",
        "popularity": 10.0,
        "poster_path": f"/poster{tmdb_id}.jpg",
        "production_companies": [],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": released,
        "revenue": 2_000_000,
        "runtime": 120,
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "status": "Released",
        "tagline": f"{title}: the tagline.",
        "title": title,
        "video": False,
        "vote_average": 7.5,
        "vote_count": 1000,
    }
    movie.update(overrides)
    movie.setdefault("_recommendations", [])
    movie.setdefault("_similar", [])
    movie.setdefault(
        "_appendable",
        {
            "credits": {
                "id": tmdb_id,
                "cast": [
                    cast_member(819, "Lead Actor", "Hero", order=0, profile_path="/a.jpg", tmdb_id=tmdb_id),
                    cast_member(287, "Second Actor", "Friend", order=1, profile_path=None, tmdb_id=tmdb_id),
                ],
                "crew": [
                    crew_member(7467, "A Director", "Director", "Directing", tmdb_id=tmdb_id),
                    crew_member(1, "Grip", "Key Grip", "Crew", tmdb_id=tmdb_id),
                ],
            },
            "videos": {
                "id": tmdb_id,
                "results": [
                    {
                        "iso_639_1": "en",
                        "iso_3166_1": "US",
                        "name": "Official Trailer",
                        "key": f"trailer{tmdb_id}",
                        "site": "YouTube",
                        "size": 1080,
                        "type": "Trailer",
                        "official": True,
                        "published_at": "2020-01-01T00:00:00.000Z",
                        "id": f"v{tmdb_id}",
                    }
                ],
            },
            "keywords": {"id": tmdb_id, "keywords": [{"id": 825, "name": "support group"}]},
            "external_ids": {
                "id": tmdb_id,
                "imdb_id": movie.get("imdb_id") or None,
                "wikidata_id": None,
                "facebook_id": None,
                "instagram_id": None,
                "twitter_id": None,
            },
        },
    )
    return movie


def cast_member(person_id: int, name: str, character: str, *, order: int, profile_path, tmdb_id: int) -> dict:
    """One `credits.cast` entry with every key TMDb sends."""
    return {
        "adult": False,
        "gender": 2,
        "id": person_id,
        "known_for_department": "Acting",
        "name": name,
        "original_name": name,
        "popularity": 12.5,
        "profile_path": profile_path,
        "cast_id": order + 4,
        "character": character,
        "credit_id": f"52fe4250c3a36847f8{tmdb_id:06d}{order:02d}",
        "order": order,
    }


def crew_member(person_id: int, name: str, job: str, department: str, *, tmdb_id: int) -> dict:
    """One `credits.crew` entry with every key TMDb sends."""
    return {
        "adult": False,
        "gender": 0,
        "id": person_id,
        "known_for_department": department,
        "name": name,
        "original_name": name,
        "popularity": 3.25,
        "profile_path": None,
        "credit_id": f"52fe4250c3a36847f9{tmdb_id:06d}{person_id % 100:02d}",
        "department": department,
        "job": job,
    }


def default_error_code(status: int) -> int:
    return {401: 7, 404: 34, 429: 25, 503: 46}.get(status, 43)
