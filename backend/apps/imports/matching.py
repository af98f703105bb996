"""Matching an imported entry to a TMDb movie: ids first, then title + year through search results."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from apps.movies.models import Movie
from core.exceptions import NotFound

MAX_CANDIDATES = 5
YEAR_TOLERANCE = 1
_NON_WORD = re.compile(r"[^0-9a-z]+")


class MatchedBy:
    TMDB_ID = "tmdb_id"
    IMDB_ID = "imdb_id"
    TITLE_YEAR = "title_year"
    TITLE_NEAR_YEAR = "title_year_1"  # year off by one (festival vs release year)
    TITLE = "title"  # no year given: the only exact title
    REVIEW = "review"  # confirmed by the user in the review queue


@dataclass(frozen=True)
class Match:
    movie: Movie | None = None  # a stored movie (id rows, review)
    matched_by: str = ""
    candidates: list[dict] = field(default_factory=list)  # ambiguous: the review queue's candidates
    reason: str = ""  # why nothing was matched
    item: dict | None = None  # a TMDb search result matched: stored (in a batch) before the row is applied


@dataclass(frozen=True)
class TitleQuery:
    """What a title match asks TMDb: the same query for every row naming that film that way."""

    title: str
    year: int | None = None
    original: str | None = None

    @classmethod
    def of(cls, data: dict) -> "TitleQuery":
        year = data.get("year")
        return cls(
            str(data["title"]).strip(), year if isinstance(year, int) else None, data.get("original_title")
        )

    @property
    def names(self) -> set[str]:
        return {normalise(self.title), normalise(self.original)} - {""}


@dataclass(frozen=True)
class TitleResults:
    """TMDb's search results for a TitleQuery: with its year, and without (only when needed)."""

    query: TitleQuery
    found: list[dict]
    wider: list[dict] = field(default_factory=list)

    def ids(self) -> set[int]:
        return {item["id"] for item in [*self.found, *self.wider]}


def normalise(title: str | None) -> str:
    """Case, accents, punctuation and "&"/"and" do not matter: "Amélie" ~ "Amelie", "Se7en" stays."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower().replace("&", " and ")
    return _NON_WORD.sub(" ", text).strip()


def year_of(item: dict) -> int | None:
    """The release year of a TMDb result ("1979-05-25"; blank or junk dates have none)."""
    text = str(item.get("release_date") or "")[:4]
    return int(text) if len(text) == 4 and text.isdigit() else None


def search_titles(query: TitleQuery, search: Callable[[str, int | None], list[dict]]) -> TitleResults:
    """The searches a title match needs: with the year; without it only if that found no film of
    that title and year (the ±1 rule needs it). Runs in a lookup thread: TMDb only, no database."""
    if query.year is None:
        return TitleResults(query, search(query.title, None))
    found = search(query.title, query.year)
    if any(_named(item, query.names) and year_of(item) == query.year for item in found):
        return TitleResults(query, found)
    return TitleResults(query, found, search(query.title, None))


def decide_title(results: TitleResults, hidden: Iterable[int] = ()) -> Match:
    """A confident match, the review queue's candidates, or why nothing matched. `hidden`: TMDb ids
    stored here but inactive (gone, or hidden by staff), never matched."""
    hidden = set(hidden)
    found = [item for item in results.found if item["id"] not in hidden]
    wider = [item for item in results.wider if item["id"] not in hidden]
    query, names = results.query, results.query.names
    if query.year is None:
        return _decide([m for m in found if _named(m, names)], found, MatchedBy.TITLE)
    same = [m for m in found if _named(m, names) and year_of(m) == query.year]
    if same:
        return _decide(same, same, MatchedBy.TITLE_YEAR)
    near = [
        m for m in _unique(found + wider) if year_of(m) and abs(year_of(m) - query.year) <= YEAR_TOLERANCE
    ]
    return _decide([m for m in near if _named(m, names)], near, MatchedBy.TITLE_NEAR_YEAR)


def candidate(item: dict) -> dict:
    """A review-queue candidate from a TMDb result."""
    return {
        "id": item["id"],
        "title": str(item.get("title") or ""),
        "original_title": str(item.get("original_title") or ""),
        "year": year_of(item),
    }


class IdMatcher:
    """Matches on ids through MovieService (the shared, rate-limited TMDb client; movies stored as
    found). Returns None when the entry has no id that matched but a title to try."""

    def __init__(self, *, movies):
        self.movies = movies

    def match(self, data: dict) -> Match | None:
        if data.get("unsupported"):
            return Match(reason=data["unsupported"])
        if data.get("tmdb_id"):
            try:
                return Match(self.movies.get_movie(tmdb_id=int(data["tmdb_id"])), MatchedBy.TMDB_ID)
            except NotFound:
                if not (data.get("imdb_id") or data.get("title")):
                    return Match(reason=f"TMDb has no movie {data['tmdb_id']}.")
        if data.get("imdb_id"):
            movie = self.movies.find_by_imdb_id(imdb_id=data["imdb_id"])
            if movie is not None:
                return Match(movie, MatchedBy.IMDB_ID)
            if not data.get("title"):
                return Match(reason=f"TMDb knows no movie with IMDb id {data['imdb_id']}.")
        if data.get("title"):
            return None
        return Match(reason="Neither an id nor a title to match on.")


def needs_ids(data: dict) -> bool:
    """Entries matched (or refused) without a title search first."""
    return bool(
        data.get("unsupported") or data.get("tmdb_id") or data.get("imdb_id") or not data.get("title")
    )


def _decide(exact: list[dict], loose: list[dict], matched_by: str) -> Match:
    if len(exact) == 1:
        return Match(matched_by=matched_by, item=exact[0])
    if exact or loose:  # several films share the title, or only a loose title match
        return Match(
            candidates=[candidate(item) for item in (exact or loose)[:MAX_CANDIDATES]],
            reason="Ambiguous: several candidates.",
        )
    return Match(reason="No match on TMDb.")


def _named(item: dict, names: set[str]) -> bool:
    return normalise(item.get("title")) in names or normalise(item.get("original_title")) in names


def _unique(items: list[dict]) -> list[dict]:
    seen: dict[int, dict] = {}
    for item in items:
        seen.setdefault(item["id"], item)
    return list(seen.values())
