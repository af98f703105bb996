"""Parsing of TMDb movie payloads into model field values (tolerates nulls, empty dates, runtime 0)."""

from __future__ import annotations

from datetime import date

LIST_FIELDS = (
    "title",
    "original_title",
    "original_language",
    "overview",
    "popularity",
    "vote_average",
    "vote_count",
    "release_date",
    "poster_path",
    "backdrop_path",
    "adult",
)
MAX_INT = 2**31 - 1  # PositiveIntegerField
MAX_BIGINT = 2**63 - 1
MAX_CAST = 20
CREW_JOBS = frozenset({"Director", "Screenplay", "Writer", "Producer", "Original Music Composer"})
MAX_CREW = 20
MAX_VIDEOS = 10
MAX_KEYWORDS = 30
# Every key TMDb sends for a credit or a video (the TMDb-compatible API renders them back).
PERSON_KEYS = (
    "adult",
    "gender",
    "id",
    "known_for_department",
    "name",
    "original_name",
    "popularity",
    "profile_path",
)
CAST_KEYS = (*PERSON_KEYS, "cast_id", "character", "credit_id", "order")
CREW_KEYS = (*PERSON_KEYS, "credit_id", "department", "job")
VIDEO_KEYS = (
    "iso_639_1",
    "iso_3166_1",
    "name",
    "key",
    "site",
    "size",
    "type",
    "official",
    "published_at",
    "id",
)
# Detail fields the catalog has no column for, kept as delivered (the TMDb-compatible API needs them).
DETAIL_EXTRA_KEYS = (
    "belongs_to_collection",
    "origin_country",
    "production_companies",
    "production_countries",
    "spoken_languages",
    "video",
)


def valid_id(value) -> bool:
    """A TMDb id that fits the database: a positive 32-bit integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT


def parse_date(value) -> date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _number(value, cast=float, *, low=0, high=None):
    try:
        number = cast(value or 0)
    except (TypeError, ValueError):
        return cast(0)
    number = max(low, number)
    return min(high, number) if high is not None else number


def list_item_fields(item: dict) -> dict:
    """Model fields from one list result (popular, search, discover, recommendations …)."""
    title = _text(item.get("title"), 500) or _text(item.get("original_title"), 500)
    return {
        "title": title or f"TMDb {item.get('id')}",
        "original_title": _text(item.get("original_title"), 500) or title,
        "original_language": _text(item.get("original_language"), 16),
        "overview": _text(item.get("overview")),
        "popularity": _number(item.get("popularity")),
        "vote_average": _number(item.get("vote_average"), high=10),
        "vote_count": _number(item.get("vote_count"), int, high=MAX_INT),
        "release_date": parse_date(item.get("release_date")),
        "poster_path": _text(item.get("poster_path"), 255),
        "backdrop_path": _text(item.get("backdrop_path"), 255),
        "adult": bool(item.get("adult")),
    }


def detail_fields(payload: dict) -> dict:
    """Model fields from a /movie/{id} payload (runtime 0 → None, empty homepage → "")."""
    fields = list_item_fields(payload)
    runtime = _number(payload.get("runtime"), int, high=MAX_INT)
    imdb_id = payload.get("imdb_id") or _dict(payload.get("external_ids")).get("imdb_id")
    fields.update(
        {
            "tagline": _text(payload.get("tagline"), 1000),
            "runtime": runtime or None,
            "status": _text(payload.get("status"), 32),
            "budget": _number(payload.get("budget"), int, high=MAX_BIGINT),
            "revenue": _number(payload.get("revenue"), int, high=MAX_BIGINT),
            "homepage": _text(payload.get("homepage"), 1000),
            "imdb_id": _text(imdb_id, 16),
        }
    )
    return fields


def genre_items(payload: dict) -> list[dict]:
    """[{id, name}] from a details payload's `genres` (ignores malformed entries)."""
    return [
        g
        for g in _dicts(payload.get("genres"))
        if isinstance(g.get("id"), int) and isinstance(g.get("name"), str)
    ]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def detail_metadata(payload: dict) -> dict:
    """Credits, videos, keywords and external ids as kept in Movie.metadata (trimmed; malformed parts dropped)."""
    credits = _dict(payload.get("credits"))
    cast = sorted(_dicts(credits.get("cast")), key=lambda person: _number(person.get("order"), int))[
        :MAX_CAST
    ]
    crew = [person for person in _dicts(credits.get("crew")) if person.get("job") in CREW_JOBS][:MAX_CREW]
    videos = _dicts(_dict(payload.get("videos")).get("results"))
    keywords = [
        k for k in _dicts(_dict(payload.get("keywords")).get("keywords")) if k.get("id") and k.get("name")
    ]
    return {
        "credits": {
            "cast": [_pick(p, CAST_KEYS) for p in cast],
            "crew": [_pick(p, CREW_KEYS) for p in crew],
        },
        "videos": [_pick(v, VIDEO_KEYS) for v in videos[:MAX_VIDEOS]],
        "keywords": [_pick(k, ("id", "name")) for k in keywords[:MAX_KEYWORDS]],
        "external_ids": _dict(payload.get("external_ids")),
        "details": {key: payload[key] for key in DETAIL_EXTRA_KEYS if key in payload},
    }


def _pick(source: dict, names: tuple[str, ...]) -> dict:
    return {name: source.get(name) for name in names}


def page_results(payload: dict) -> list[dict]:
    """The usable results of a TMDb page object (entries without an integer id are dropped)."""
    return [
        item
        for item in _dicts(payload.get("results"))
        if isinstance(item.get("id"), int) and 0 < item["id"] < 2**31
    ]


def page_totals(payload: dict) -> tuple[int, int]:
    """(total_pages, total_results) of a page object, TMDb's 500-page cap applied."""
    total_pages = min(_number(payload.get("total_pages"), int), 500)
    return total_pages, _number(payload.get("total_results"), int)
