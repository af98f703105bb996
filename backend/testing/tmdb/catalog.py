"""A generated catalog with the shape of TMDb's real data, for the double (tests and `make bench-sync`).

What real TMDb data does, and clean fixtures did not:
- recommendations and similar lists overlap heavily: movies of one "neighbourhood" (same primary
  genre, close in popularity) recommend each other, and the most popular movies appear in almost
  everyone's lists — so parallel writers keep meeting the same related rows;
- the movies on the first popular pages recommend each other;
- genres arrive in TMDb's order (primary first), not sorted by id or name;
- nulls and blanks: missing posters, empty release dates, runtime 0, no IMDb id, empty overviews,
  zero votes; ids are sparse.

`seed_catalog(double, movies=600)` fills a TMDbDouble and returns the generated ids, most popular
first. The same seed gives the same catalog.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .payloads import GENRES

RELATED_PER_LIST = 20
# TMDb's genre combinations are skewed: a few primaries dominate.
PRIMARY_WEIGHTS = {18: 20, 35: 14, 28: 12, 53: 9, 27: 8, 10749: 6, 99: 5, 878: 5, 12: 5, 16: 4, 80: 4}


@dataclass
class GeneratedCatalog:
    ids: list[int]  # most popular first
    genres: dict[int, list[int]]  # tmdb id → genre ids in TMDb's order

    def popular(self, count: int) -> list[int]:
        return self.ids[:count]


def seed_catalog(double, *, movies: int = 600, seed: int = 20261205, start: int = 11) -> GeneratedCatalog:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ids = _sparse_ids(rng, movies, start)
    popularity = {
        tmdb_id: round(2000.0 / (rank + 1) ** 0.8 + rng.random(), 3) for rank, tmdb_id in enumerate(ids)
    }
    genres = {tmdb_id: _genres(rng) for tmdb_id in ids}
    for tmdb_id in ids:
        double.add_movie(
            tmdb_id, genre_ids=genres[tmdb_id], popularity=popularity[tmdb_id], **_quirks(rng, tmdb_id)
        )
    for rank, tmdb_id in enumerate(ids):
        double.relate(
            tmdb_id,
            recommendations=_related(rng, ids, genres, rank, tmdb_id),
            similar=_related(rng, ids, genres, rank, tmdb_id, same_genre=True),
        )
    return GeneratedCatalog(ids=ids, genres=genres)


def _sparse_ids(rng: random.Random, count: int, start: int) -> list[int]:
    """Sparse ids, shuffled so popularity rank and id order disagree (as on TMDb)."""
    ids, current = [], start
    for _ in range(count):
        current += rng.choice((1, 1, 2, 3, 7, 40, 311))
        ids.append(current)
    rng.shuffle(ids)
    return ids


def _genres(rng: random.Random) -> list[int]:
    primaries, weights = zip(*PRIMARY_WEIGHTS.items(), strict=True)
    chosen = [rng.choices(primaries, weights)[0]]
    others = [g for g in GENRES if g != chosen[0]]
    chosen += rng.sample(others, rng.choice((0, 1, 1, 2, 2, 3)))
    return chosen  # TMDb's order: primary first, the rest in no sorted order


def _related(
    rng: random.Random, ids: list[int], genres: dict, rank: int, tmdb_id: int, *, same_genre: bool = False
) -> list[int]:
    """About half from the very top of the catalog (everyone recommends the blockbusters), the rest
    from the movie's neighbourhood in popularity, preferring its primary genre."""
    primary = genres[tmdb_id][0]
    top = ids[: min(len(ids), 60)]
    lo, hi = max(0, rank - 40), min(len(ids), rank + 40)
    neighbourhood = [i for i in ids[lo:hi] if not same_genre or genres[i][0] == primary] or ids[lo:hi]
    picked: list[int] = []
    for pool in (rng.sample(top, min(len(top), 12)), rng.sample(neighbourhood, min(len(neighbourhood), 16))):
        picked += [i for i in pool if i != tmdb_id and i not in picked]
    return picked[:RELATED_PER_LIST]


def _quirks(rng: random.Random, tmdb_id: int) -> dict:
    """The blanks and nulls real payloads carry, on a realistic share of movies."""
    quirks: dict = {}
    roll = rng.random()
    if roll < 0.08:
        quirks["poster_path"] = None
    if roll < 0.12:
        quirks["backdrop_path"] = None
    if rng.random() < 0.05:
        quirks["release_date"] = ""
    if rng.random() < 0.06:
        quirks["runtime"] = 0
    if rng.random() < 0.07:
        quirks["imdb_id"] = None
    if rng.random() < 0.04:
        quirks.update(overview="", tagline="", vote_count=0, vote_average=0.0)
    if rng.random() < 0.03:
        quirks["homepage"] = ""
    quirks["vote_average"] = quirks.get("vote_average", round(rng.uniform(4.0, 8.7), 3))
    quirks["vote_count"] = quirks.get("vote_count", rng.randint(0, 30000))
    quirks["title"] = f"Movie {tmdb_id}"
    return quirks
