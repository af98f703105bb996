"""Matching an imported entry to a TMDb movie: ids first, then title + year through search."""

import re
import unicodedata
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
    movie: Movie | None = None
    matched_by: str = ""
    candidates: list[Movie] = field(default_factory=list)  # ambiguous: for the review queue
    reason: str = ""  # why nothing was matched


def normalise(title: str | None) -> str:
    """Case, accents, punctuation and "&"/"and" do not matter: "Amélie" ~ "Amelie", "Se7en" stays."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower().replace("&", " and ")
    return _NON_WORD.sub(" ", text).strip()


def year_of(movie: Movie) -> int | None:
    return movie.release_date.year if movie.release_date else None


class Matcher:
    """Resolves entries through MovieService (the shared, rate-limited TMDb client); remembers
    searches so an import asks TMDb once per distinct title and year."""

    def __init__(self, *, movies):
        self.movies = movies
        self._searches: dict[tuple, list[Movie]] = {}

    def match(self, data: dict) -> Match:
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
            return self._by_title(data["title"], data.get("year"), data.get("original_title"))
        return Match(reason="Neither an id nor a title to match on.")

    def _by_title(self, title: str, year: int | None, original: str | None) -> Match:
        names = {normalise(title), normalise(original)} - {""}
        if year is None:
            found = self._search(title, None)
            return self._decide([m for m in found if _named(m, names)], found, MatchedBy.TITLE)
        found = self._search(title, year)
        same = [m for m in found if _named(m, names) and year_of(m) == year]
        if same:
            return self._decide(same, same, MatchedBy.TITLE_YEAR)
        wider = self._search(title, None)
        near = [m for m in _unique(found + wider) if year_of(m) and abs(year_of(m) - year) <= YEAR_TOLERANCE]
        return self._decide([m for m in near if _named(m, names)], near, MatchedBy.TITLE_NEAR_YEAR)

    @staticmethod
    def _decide(exact: list[Movie], loose: list[Movie], matched_by: str) -> Match:
        if len(exact) == 1:
            return Match(exact[0], matched_by)
        if exact or loose:  # several films share the title, or only a loose title match
            return Match(
                candidates=(exact or loose)[:MAX_CANDIDATES], reason="Ambiguous: several candidates."
            )
        return Match(reason="No match on TMDb.")

    def _search(self, title: str, year: int | None) -> list[Movie]:
        key = (title.strip().lower(), year)
        if key not in self._searches:
            self._searches[key] = self.movies.search_candidates(query=title.strip(), year=year)
        return self._searches[key]


def _named(movie: Movie, names: set[str]) -> bool:
    return normalise(movie.title) in names or normalise(movie.original_title) in names


def _unique(movies: list[Movie]) -> list[Movie]:
    seen: dict[int, Movie] = {}
    for movie in movies:
        seen.setdefault(movie.pk, movie)
    return list(seen.values())
