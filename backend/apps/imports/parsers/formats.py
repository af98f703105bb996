"""The five upload formats: Letterboxd zip, IMDb CSV, Trakt JSON, generic CSV, Movie Nexus JSON."""

import json
from decimal import Decimal, InvalidOperation

from .common import (
    Limits,
    UploadRejected,
    as_date,
    as_imdb_id,
    as_int,
    as_year,
    check_row_count,
    csv_rows,
    entry,
    read_upload,
    text_of,
    zip_members,
)

VIEWING, WATCHLIST, FAVORITE = "viewing", "watchlist", "favorite"
LETTERBOXD_FILES = ("diary.csv", "reviews.csv", "ratings.csv", "watched.csv", "watchlist.csv")
FILM = {"Name", "Year", "Date"}
GENERIC_COLUMNS = ("tmdb_id", "imdb_id", "title", "year", "watched_on", "rating", "rewatch", "review", "list")
GENERIC_LISTS = {"watched": VIEWING, "watchlist": WATCHLIST, "favorites": FAVORITE}
IMDB_MOVIE_TYPES = {"movie", "tv movie", "video", "short"}
TRAKT_FILES = ("watched-movies.json", "history-movies.json", "ratings-movies.json", "watchlist-movies.json")


def parse(source: str, upload, limits: Limits) -> list[dict]:
    """Entries of the upload; UploadTooLarge (413) or UploadRejected (400) when it cannot be taken."""
    content = read_upload(upload, limits)
    entries = PARSERS[source](content, limits)
    if not entries:
        raise UploadRejected("The file holds no entries to import.")
    return check_row_count(entries, limits)


# Letterboxd -------------------------------------------------------------------------------------
def stars_to_ten(value) -> int | None:
    """Letterboxd's 0.5-5 stars in half steps, exactly 1-10; anything else is no rating."""
    try:
        stars = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    ten = stars * 2
    return int(ten) if ten == ten.to_integral_value() and 1 <= ten <= 10 else None


def parse_letterboxd(content: bytes, limits: Limits) -> list[dict]:
    """diary and reviews are viewings (merged on film and date); ratings rate a film's latest
    viewing (or log one on the rating's date); watched logs a film not in the diary; watchlist."""
    members = zip_members(content, limits)
    if not any(name in members for name in LETTERBOXD_FILES):
        raise UploadRejected("Not a Letterboxd export: none of " + ", ".join(LETTERBOXD_FILES) + " is in it.")
    viewings: dict[tuple, dict] = {}
    for name in ("diary.csv", "reviews.csv"):
        for line, row in _film_rows(members, name):
            _merge_viewing(viewings, f"{name}:{line}", row)
    latest = _latest_by_film(viewings)
    for name in ("ratings.csv", "watched.csv"):
        for line, row in _film_rows(members, name):
            _film_without_diary(viewings, latest, f"{name}:{line}", row, rated=name == "ratings.csv")
    watchlist = [
        entry(
            WATCHLIST,
            f"watchlist.csv:{line}",
            title=row["Name"],
            year=as_year(row["Year"]),
            added_at=as_date(row["Date"]),
        )
        for line, row in _film_rows(members, "watchlist.csv")
    ]
    return [*viewings.values(), *watchlist]


def _film_rows(members: dict, name: str):
    if name not in members:
        return []
    return [(line, row) for line, row in csv_rows(members[name], name, required=FILM) if row.get("Name")]


def _merge_viewing(viewings: dict, ref: str, row: dict) -> None:
    watched_on = as_date(row.get("Watched Date")) or as_date(row["Date"])
    key = (row["Name"], row["Year"], watched_on)
    found = viewings.setdefault(
        key,
        entry(VIEWING, ref, title=row["Name"], year=as_year(row["Year"]), watched_on=watched_on),
    )
    found.setdefault("logged_at", as_date(row["Date"]))
    if (rating := stars_to_ten(row.get("Rating"))) is not None:
        found["rating"] = rating
    if row.get("Rewatch", "").lower() == "yes":
        found["rewatch"] = True
    if row.get("Review"):
        found["review"] = row["Review"]


def _latest_by_film(viewings: dict) -> dict[tuple, dict]:
    latest: dict[tuple, dict] = {}
    for (name, year, watched_on), viewing in viewings.items():
        if (name, year) not in latest or watched_on > latest[name, year]["watched_on"]:
            latest[name, year] = viewing
    return latest


def _film_without_diary(viewings: dict, latest: dict, ref: str, row: dict, *, rated: bool) -> None:
    rating = stars_to_ten(row.get("Rating")) if rated else None
    film = (row["Name"], row["Year"])
    if film in latest:
        if rating is not None and "rating" not in latest[film]:
            latest[film]["rating"] = rating
        return
    watched_on = as_date(row["Date"])
    viewing = entry(
        VIEWING, ref, title=row["Name"], year=as_year(row["Year"]), watched_on=watched_on, rating=rating
    )
    viewing["logged_at"] = watched_on
    viewings[(*film, watched_on)] = latest[film] = viewing


# IMDb -------------------------------------------------------------------------------------------
def parse_imdb(content: bytes, limits: Limits) -> list[dict]:
    """ratings.csv (a viewing on the date rated) or a watchlist (it has `Position`)."""
    rows = list(csv_rows(content, "The IMDb CSV", required={"Const", "Title"}))
    is_watchlist = bool(rows) and "Position" in rows[0][1]
    return [_imdb_entry(line, row, is_watchlist=is_watchlist) for line, row in rows]


def _imdb_entry(line: int, row: dict, *, is_watchlist: bool) -> dict:
    common = {
        "title": row.get("Title"),
        "original_title": row.get("Original Title"),
        "year": as_year(row.get("Year")),
        "imdb_id": as_imdb_id(row.get("Const")),
    }
    if row.get("Title Type") and row["Title Type"].strip().lower() not in IMDB_MOVIE_TYPES:
        common["unsupported"] = f"Not a movie ({row['Title Type']})."
    if is_watchlist:
        return entry(WATCHLIST, f"line {line}", added_at=as_date(row.get("Created")), **common)
    rated_on = as_date(row.get("Date Rated"))
    rating = as_int(row.get("Your Rating"))
    return entry(
        VIEWING,
        f"line {line}",
        watched_on=rated_on,
        logged_at=rated_on,
        rating=rating if rating is not None and 1 <= rating <= 10 else None,
        **common,
    )


# Trakt ------------------------------------------------------------------------------------------
def parse_trakt(content: bytes, limits: Limits) -> list[dict]:
    """A Trakt export zip, or one of its JSON files: history/watched, ratings, watchlist (movies)."""
    if content[:2] == b"PK":
        members = zip_members(content, limits)
        documents = [(name, _json(members[name], name)) for name in TRAKT_FILES if name in members]
        if not documents:
            raise UploadRejected("Not a Trakt export: no movie file (" + ", ".join(TRAKT_FILES) + ") in it.")
    else:
        documents = [("the JSON file", _json(content, "The JSON file"))]
    entries: list[dict] = []
    for name, items in documents:
        if not isinstance(items, list):
            raise UploadRejected(f"{name} is not a Trakt list export (an array was expected).")
        entries.extend(_trakt_entry(f"{name}[{index}]", item) for index, item in enumerate(items))
    return _rate_trakt_viewings([item for item in entries if item is not None])


def _trakt_entry(ref: str, item) -> dict | None:
    if not isinstance(item, dict) or not isinstance(item.get("movie"), dict):
        return None  # shows and episodes share the files; only movies are imported
    movie = item["movie"]
    ids = movie.get("ids") if isinstance(movie.get("ids"), dict) else {}
    film = {
        "title": str(movie.get("title") or ""),
        "year": as_year(movie.get("year")),
        "tmdb_id": as_int(ids.get("tmdb")),
        "imdb_id": as_imdb_id(ids.get("imdb")),
    }
    if "listed_at" in item:
        return entry(WATCHLIST, ref, added_at=as_date(item["listed_at"]), **film)
    if "rated_at" in item:
        rating = as_int(item.get("rating"))
        return entry("rating", ref, rating=rating, logged_at=as_date(item["rated_at"]), **film)
    watched_on = as_date(item.get("watched_at") or item.get("last_watched_at"))
    return entry(VIEWING, ref, watched_on=watched_on, logged_at=watched_on, **film)


def _rate_trakt_viewings(entries: list[dict]) -> list[dict]:
    """Trakt rates films, not plays: a rating goes to the film's latest viewing, else logs one."""
    latest: dict = {}
    for item in entries:
        if item["kind"] == VIEWING:
            film = _film_key(item)
            if film not in latest or item.get("watched_on", "") > latest[film].get("watched_on", ""):
                latest[film] = item
    kept = []
    for item in entries:
        if item["kind"] != "rating":
            kept.append(item)
            continue
        rating = item.get("rating") if 1 <= (item.get("rating") or 0) <= 10 else None
        viewing = latest.get(_film_key(item))
        if viewing is not None:
            viewing.setdefault("rating", rating)
        else:
            kept.append({**item, "kind": VIEWING, "watched_on": item.get("logged_at"), "rating": rating})
    return kept


def _film_key(item: dict) -> tuple:
    return (item.get("tmdb_id"), item.get("imdb_id"), item.get("title"), item.get("year"))


def _json(data: bytes, name: str):
    try:
        return json.loads(text_of(data, name))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UploadRejected(f"{name} is not valid JSON.") from exc


# Generic CSV ------------------------------------------------------------------------------------
def parse_generic_csv(content: bytes, limits: Limits) -> list[dict]:
    """Header: tmdb_id,imdb_id,title,year,watched_on,rating,rewatch,review,list (docs/imports.md)."""
    rows = csv_rows(content, "The CSV file", required={"title"})
    return [_generic_entry(line, row) for line, row in rows]


def _generic_entry(line: int, row: dict) -> dict:
    kind = GENERIC_LISTS.get((row.get("list") or "watched").lower())
    rating = as_int(row.get("rating"))
    values = {
        "title": row.get("title"),
        "year": as_year(row.get("year")),
        "tmdb_id": as_int(row.get("tmdb_id")),
        "imdb_id": as_imdb_id(row.get("imdb_id")),
        "rating": rating if rating is not None and 1 <= rating <= 10 else None,
        "review": row.get("review"),
    }
    if kind is None:
        values["unsupported"] = f"Unknown list {row.get('list')!r} (watched, watchlist or favorites)."
        kind = VIEWING
    if kind == VIEWING:
        values.update(
            watched_on=as_date(row.get("watched_on")),
            rewatch=row.get("rewatch", "").lower() in ("1", "true", "yes"),
        )
        values["logged_at"] = values["watched_on"]
    return entry(kind, f"line {line}", **values)


# Movie Nexus JSON -------------------------------------------------------------------------------
def parse_movienexus(content: bytes, limits: Limits) -> list[dict]:
    """Our own full export (GET watched/export/?format=json), as streamed (envelope) or bare."""
    document = _json(content, "The JSON file")
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]
    if not isinstance(document, dict) or not any(
        key in document for key in ("favorites", "watchlist", "history")
    ):
        raise UploadRejected("Not a Movie Nexus export (favorites, watchlist and history were expected).")
    entries = []
    for key, kind in (("favorites", FAVORITE), ("watchlist", WATCHLIST), ("history", VIEWING)):
        items = document.get(key) or []
        if not isinstance(items, list):
            raise UploadRejected(f"`{key}` must be an array.")
        entries.extend(_nexus_entry(kind, f"{key}[{index}]", item) for index, item in enumerate(items))
    return entries


def _nexus_entry(kind: str, ref: str, item) -> dict:
    if not isinstance(item, dict):
        return entry(kind, ref, unsupported="Not an object.")
    fields = (
        "title",
        "year",
        "tmdb_id",
        "imdb_id",
        "rating",
        "notes",
        "added_at",
        "watched_on",
        "rewatch",
        "review",
    )
    values = {name: item.get(name) for name in fields}
    values["tmdb_id"] = as_int(values["tmdb_id"])
    values["logged_at"] = values.get("added_at") or values.get("watched_on")
    return entry(kind, ref, **values)


PARSERS = {
    "letterboxd": parse_letterboxd,
    "imdb": parse_imdb,
    "trakt": parse_trakt,
    "csv": parse_generic_csv,
    "movienexus": parse_movienexus,
}
