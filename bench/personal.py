"""The bench user's personal data and the per-user probes of the signed-in targets.

`seed` gives the user favorites, watchlist entries and viewings on the pages the signed-in targets
read (through the API, as a client would), so personal flags are really merged there. `probe`
measures, one request at a time on a quiet server: the flags each page carries, its body size per
item, and SQL per request when warm and on the first read after the user's own write (from the
server's /metrics, which counts every query a request runs, authentication included).
"""

import json
import time

from .config import PERSONAL_PAGE, Target
from .measure import deltas, http_get, http_request, scrape

FAVORITES, WATCHLIST, WATCHED = "/api/v1/favorites/", "/api/v1/watchlist/", "/api/v1/watched/"
DETAIL_ID = 550  # the detail targets' movie
POPULAR, SEARCH = "/api/v1/movies/popular/", "/api/v1/movies/search/?q=club"
# The write before each "after the user's own write" read: a note on that user's entry.
WRITE_FOR = {"watchlist_signed_in": WATCHLIST}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def items(body: bytes) -> list[dict]:
    """The movies of a list or detail envelope (favorites and watchlist entries wrap theirs)."""
    data = json.loads(body)["data"]
    return [item.get("movie", item) for item in (data if isinstance(data, list) else [data])]


def page_ids(base: str, path: str) -> list[int]:
    status, _, body = http_get(base + path)
    return [item["id"] for item in items(body)] if status == 200 else []


def unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def plan(popular: list[int], found: list[int], ranked_ids: list[int]) -> dict[str, list[int]]:
    """What the user keeps: some of popular's first page and of the search results, the detail
    movie, and less popular movies until each list fills more than a page (overlapping lists)."""
    shown = {*popular, *found, DETAIL_ID}
    filler = [tmdb_id for tmdb_id in ranked_ids[100:] if tmdb_id not in shown]
    favorites = unique([*popular[::2], DETAIL_ID, *found[:3]])
    watchlist = unique([*popular[1::3], DETAIL_ID, *found[1:4]])
    extra = PERSONAL_PAGE + 5
    return {
        FAVORITES: favorites + filler[: max(0, extra - len(favorites))],
        WATCHLIST: watchlist + filler[10 : 10 + max(0, extra - len(watchlist))],
        WATCHED: unique([*popular[::4], DETAIL_ID, *found[:1]]),
    }


def seed(base: str, token: str, ranked_ids: list[int]) -> dict[str, int]:
    """Adds the plan's entries (an entry already there is left as it is); how many each list got."""
    wanted = plan(page_ids(base, POPULAR), page_ids(base, SEARCH), ranked_ids)
    added = {}
    for path, ids in wanted.items():
        added[path] = 0
        for tmdb_id in ids:
            status, _, body = http_request("POST", base + path, bearer(token), {"movie_id": tmdb_id})
            if status in (404, 405) and tmdb_id == ids[0]:
                print(f"  {path} n/a on this build ({status}): the user keeps no such entries")
                break
            if status not in (200, 201):
                raise SystemExit(
                    f"seeding the bench user: POST {path} {tmdb_id} answered {status}: {body[:300]}"
                )
            added[path] += 1
    return added


def flags(movies: list[dict]) -> dict:
    """How many movies of a page carry each personal flag (`watched` only where the build has it)."""
    counted = {
        "favorite": sum(bool(movie.get("is_favorite")) for movie in movies),
        "watchlist": sum(bool(movie.get("in_watchlist")) for movie in movies),
    }
    if any("watched" in movie for movie in movies):
        counted["watched"] = sum(bool(movie.get("watched")) for movie in movies)
    return counted


def queries_of(base: str, metrics_token: str, send) -> float:
    """SQL queries the server ran for what `send()` sends (nothing else may run meanwhile)."""
    before = scrape(base, metrics_token)
    send()
    measured = deltas(before, scrape(base, metrics_token))
    return measured["sql_per_request"] * measured["app_requests"]


def touch(base: str, token: str, path: str) -> None:
    """The user's own write: a new note on the first entry of their list at `path`."""
    status, _, body = http_get(base + path + "?page_size=1", bearer(token))
    entries = json.loads(body)["data"] if status == 200 else []
    if not entries:
        raise SystemExit(f"probing: the bench user has no entry at {path} ({status})")
    url = f"{base}{path}{entries[0]['id']}/"
    status, _, body = http_request("PATCH", url, bearer(token), {"notes": f"bench probe {time.time():.3f}"})
    if status != 200:
        raise SystemExit(f"probing: PATCH {url} answered {status}: {body[:300]}")


def probe(base: str, token: str, metrics_token: str, targets: list[Target]) -> dict[str, dict]:
    """Per signed-in target: body bytes per item, the flags merged, SQL warm and after a write."""
    results = {}
    for target in (target for target in targets if target.auth):
        url = base + target.path
        status, _, body = http_get(url, bearer(token))
        if status != 200:
            raise SystemExit(f"probing {target.name}: {url} answered {status}")
        movies = items(body)
        warm = queries_of(base, metrics_token, lambda url=url: http_get(url, bearer(token)))
        touch(base, token, WRITE_FOR.get(target.name, FAVORITES))
        cold = queries_of(base, metrics_token, lambda url=url: http_get(url, bearer(token)))
        results[target.name] = {
            "body_bytes": len(body),
            "items": len(movies),
            "bytes_per_item": len(body) / len(movies) if movies else None,
            "flags": flags(movies),
            "sql_warm_probe": warm,
            "sql_after_write": cold,
        }
    return results


def unflagged(probes: dict[str, dict]) -> list[str]:
    """Signed-in targets whose page says no personal flag at all, though the bench user keeps
    movies on every one of them: their figures do not measure a merge."""
    return [
        name
        for name, probe in probes.items()
        if name.endswith("_signed_in") and not any(probe["flags"].values())
    ]


def probe_anonymous(base: str, targets: list[Target], names: tuple[str, ...]) -> dict[str, dict]:
    """Body bytes per item of the anonymous targets the signed-in ones are compared with."""
    results = {}
    for target in (target for target in targets if target.name in names and not target.auth):
        status, _, body = http_get(base + target.path, target.headers)
        movies = items(body) if status == 200 else []
        results[target.name] = {
            "body_bytes": len(body),
            "items": len(movies),
            "bytes_per_item": len(body) / len(movies) if movies else None,
            "flags": flags(movies),
        }
    return results
