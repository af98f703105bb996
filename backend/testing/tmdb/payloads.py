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
    "change_keys": ["adult", "budget", "credits", "genres", "overview", "release_dates", "title"],
}
ERROR_MESSAGES = {
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
    item = {key: movie.get(key) for key in LIST_ITEM_KEYS if key != "genre_ids"}
    item["genre_ids"] = [genre["id"] for genre in movie.get("genres", [])]
    return item


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
                    {
                        "id": 819,
                        "name": "Lead Actor",
                        "character": "Hero",
                        "order": 0,
                        "profile_path": "/a.jpg",
                    },
                    {
                        "id": 287,
                        "name": "Second Actor",
                        "character": "Friend",
                        "order": 1,
                        "profile_path": None,
                    },
                ],
                "crew": [
                    {"id": 7467, "name": "A Director", "job": "Director", "department": "Directing"},
                    {"id": 1, "name": "Grip", "job": "Key Grip", "department": "Crew"},
                ],
            },
            "videos": {
                "id": tmdb_id,
                "results": [
                    {
                        "iso_639_1": "en",
                        "name": "Official Trailer",
                        "key": f"trailer{tmdb_id}",
                        "site": "YouTube",
                        "type": "Trailer",
                        "official": True,
                        "published_at": "2020-01-01T00:00:00.000Z",
                        "id": f"v{tmdb_id}",
                    }
                ],
            },
            "keywords": {"id": tmdb_id, "keywords": [{"id": 825, "name": "support group"}]},
            "external_ids": {"id": tmdb_id, "imdb_id": f"tt{tmdb_id:07d}", "wikidata_id": None},
        },
    )
    return movie


def default_error_code(status: int) -> int:
    return {401: 7, 404: 34, 429: 25, 503: 46}.get(status, 43)
