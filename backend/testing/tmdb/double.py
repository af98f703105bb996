"""A local TMDb double for tests: a real threaded HTTP server with TMDb's response shapes and faults.

double = TMDbDouble().start()
double.add_movie(550, title="Fight Club", genre_ids=[18])
double.fail("movie/550", status=503, times=2)      # then healthy again
double.fail("movie/popular", status=429, retry_after=1)
double.count("movie/550")                            # requests received for that path
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .payloads import (
    API_KEY,
    CONFIGURATION,
    LOCALIZED_GENRES,
    PAGE_SIZE,
    READ_ACCESS_TOKEN,
    default_error_code,
    error_body,
    genre_list,
    list_item,
    movie_payload,
)

__all__ = ["API_KEY", "READ_ACCESS_TOKEN", "TMDbDouble", "error_body", "list_item", "movie_payload"]


@dataclass
class Fault:
    """One programmed failure, applied to requests whose path starts with `path` (None: every path)."""

    path: str | None = None
    status: int = 500
    body: object = None
    headers: dict = field(default_factory=dict)
    times: int | None = 1  # None: until cleared
    delay: float = 0.0
    drop: bool = False
    raw: bytes | None = None
    redirect_to: str | None = None


@dataclass
class ReceivedRequest:
    path: str
    query: dict
    headers: dict


class TMDbDouble:
    """In-memory TMDb: seed movies, program faults, count requests."""

    def __init__(self, *, api_key: str = API_KEY, read_access_token: str = READ_ACCESS_TOKEN):
        self.api_key = api_key
        self.read_access_token = read_access_token
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, *, port: int = 0) -> TMDbDouble:
        """Listens on loopback: `port`, or any free one."""
        handler = type("Handler", (_Handler,), {"double": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="tmdb-double", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3"

    def reset(self) -> None:
        with self.lock:
            self.movies: dict[int, dict] = {}
            self.lists: dict[str, list[int]] = {}
            self.changes: list[int] = []
            self.faults: list[Fault] = []
            self.requests: list[ReceivedRequest] = []

    # --- seeding ---------------------------------------------------------------------------
    def add_movie(self, tmdb_id: int, **overrides) -> dict:
        """A movie with a full TMDb details payload; overrides replace any key."""
        movie = movie_payload(tmdb_id, **overrides)
        with self.lock:
            self.movies[tmdb_id] = movie
        return movie

    def add_movies(self, count: int, *, start: int = 1000, **overrides) -> list[dict]:
        return [self.add_movie(start + n, popularity=float(count - n), **overrides) for n in range(count)]

    def set_list(self, name: str, tmdb_ids: list[int]) -> None:
        """popular, top_rated, now_playing, upcoming, trending_day, trending_week, changes."""
        with self.lock:
            if name == "changes":
                self.changes = list(tmdb_ids)
            else:
                self.lists[name] = list(tmdb_ids)

    def relate(self, tmdb_id: int, *, recommendations=(), similar=()) -> None:
        with self.lock:
            self.movies[tmdb_id]["_recommendations"] = list(recommendations)
            self.movies[tmdb_id]["_similar"] = list(similar)

    # --- faults ----------------------------------------------------------------------------
    def fail(self, path: str | None = None, **kwargs) -> Fault:
        """Program a fault; `retry_after=N` adds the header, `tmdb_code=N` a TMDb error body."""
        retry_after = kwargs.pop("retry_after", None)
        tmdb_code = kwargs.pop("tmdb_code", None)
        fault = Fault(path=path, **kwargs)
        if retry_after is not None:
            fault.headers["Retry-After"] = str(retry_after)
        if tmdb_code is not None and fault.body is None:
            fault.body = error_body(tmdb_code)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path is None or path.startswith(fault.path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    # --- observation -----------------------------------------------------------------------
    def count(self, path: str | None = None) -> int:
        """Requests received (for paths starting with `path`, relative to /3/)."""
        with self.lock:
            return sum(1 for r in self.requests if path is None or r.path.startswith(path))

    def last(self, path: str | None = None) -> ReceivedRequest:
        """The latest request received (for paths starting with `path`)."""
        with self.lock:
            matching = [r for r in self.requests if path is None or r.path.startswith(path)]
        assert matching, f"no request received for {path!r}"
        return matching[-1]

    @property
    def request_count(self) -> int:
        return self.count()

    # --- routing ---------------------------------------------------------------------------
    def respond(self, path: str, query: dict) -> tuple[int, object]:
        parts = path.strip("/").split("/")
        if parts == ["configuration"]:
            return 200, CONFIGURATION
        if parts == ["genre", "movie", "list"]:
            return 200, genre_list(query.get("language"))
        if parts[:1] == ["trending"] and len(parts) == 3 and parts[1] == "movie":
            if parts[2] not in ("day", "week"):
                return 404, error_body(34)
            return self._page(self._list_ids(f"trending_{parts[2]}"), query, shape=_with_media_type)
        if parts[:1] == ["find"] and len(parts) == 2:
            return self._find(parts[1], query)
        if parts == ["search", "movie"]:
            return self._search(query)
        if parts == ["discover", "movie"]:
            return self._discover(query)
        if parts == ["movie", "changes"]:
            return self._page_of(
                [{"id": i, "adult": False} for i in self.changes], query, shape=lambda item: item
            )
        if parts[:1] == ["movie"] and len(parts) == 2 and parts[1] in _LIST_ORDER:
            status, body = self._page(self._list_ids(parts[1]), query)
            if parts[1] in _DATED_LISTS and status == 200:
                body = {"dates": _DATED_LISTS[parts[1]](), **body}
            return status, body
        if parts[:1] == ["movie"] and len(parts) in (2, 3) and parts[1].isdigit():
            return self._movie(int(parts[1]), parts[2] if len(parts) == 3 else None, query)
        return 404, error_body(34)

    def _movie(self, tmdb_id: int, sub: str | None, query: dict) -> tuple[int, object]:
        movie = self.movies.get(tmdb_id)
        if movie is None:
            return 404, error_body(34)
        if sub in ("recommendations", "similar"):
            return self._page(movie.get(f"_{sub}", []), query, shape=_RELATED_SHAPES[sub])
        if sub is not None:
            if sub not in movie.get("_appendable", {}):
                return 404, error_body(34)
            return 200, movie["_appendable"][sub]
        body = {key: value for key, value in movie.items() if not key.startswith("_")}
        # Genre names in the asked language, as TMDb's details give them.
        localized = LOCALIZED_GENRES.get((query.get("language") or "en")[:2], {})
        body["genres"] = [
            {"id": genre["id"], "name": localized.get(genre["id"], genre["name"])}
            for genre in body.get("genres", [])
        ]
        # TMDb caps append_to_response at 20 names and ignores the ones it does not know.
        for name in (query.get("append_to_response") or "").split(",")[:20]:
            name = name.strip()
            if name in ("recommendations", "similar"):
                body[name] = self._page(movie.get(f"_{name}", []), {}, shape=_RELATED_SHAPES[name])[1]
            elif name in movie.get("_appendable", {}):
                # An appended part is the sub-resource's body without its `id`.
                body[name] = {k: v for k, v in movie["_appendable"][name].items() if k != "id"}
        return 200, body

    def _find(self, external_id: str, query: dict) -> tuple[int, object]:
        """TMDb's /find: movies by IMDb id (other sources and kinds answer empty lists)."""
        if query.get("external_source") not in _EXTERNAL_SOURCES:
            return 400, error_body(22)
        found = []
        if query.get("external_source") == "imdb_id":
            found = [m for m in self.movies.values() if m.get("imdb_id") == external_id]
        return 200, {
            "movie_results": [_with_media_type(m) for m in found],
            "person_results": [],
            "tv_results": [],
            "tv_episode_results": [],
            "tv_season_results": [],
        }

    def _list_ids(self, name: str) -> list[int]:
        if name in self.lists:
            return self.lists[name]
        key = _LIST_ORDER.get(name, _LIST_ORDER["popular"])
        return [m["id"] for m in sorted(self.movies.values(), key=key)]

    def _search(self, query: dict) -> tuple[int, object]:
        """Titles or original titles containing the query; `year` keeps that release year only."""
        text = (query.get("query") or "").lower()
        if not text:
            return 200, {"page": 1, "results": [], "total_pages": 1, "total_results": 0}
        adult = query.get("include_adult") == "true"
        year = query.get("year") or ""
        ids = [
            m["id"]
            for m in sorted(self.movies.values(), key=_LIST_ORDER["popular"])
            if _title_match(m, text)
            and (adult or not m["adult"])
            and (not year or (m.get("release_date") or "")[:4] == year)
        ]
        return self._page(ids, query)

    def _discover(self, query: dict) -> tuple[int, object]:
        """TMDb's discover: `with_genres` with "," (all of) or "|" (any of), `without_genres`,
        `vote_average.gte`/`vote_count.gte`, `primary_release_year`, and `sort_by` field.order."""
        movies = [m for m in self.movies.values() if _discover_match(m, query)]
        field, _, order = (query.get("sort_by") or "popularity.desc").partition(".")
        movies.sort(key=lambda m: (m.get(field) is None, m.get(field) or 0, m["id"]), reverse=order == "desc")
        return self._page([m["id"] for m in movies], query)

    def _page(self, ids: list[int], query: dict, *, shape=list_item) -> tuple[int, object]:
        items = [self.movies[i] for i in ids if i in self.movies]
        return self._page_of(items, query, shape=shape)

    @staticmethod
    def _page_of(items: list, query: dict, *, shape) -> tuple[int, object]:
        try:
            page = int(query.get("page") or 1)
        except ValueError:
            return 400, error_body(22)
        if page < 1 or page > 500:
            return 400, error_body(22)
        chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return 200, {
            "page": page,
            "results": [shape(item) for item in chunk],
            "total_pages": max(1, math.ceil(len(items) / PAGE_SIZE)),
            "total_results": len(items),
        }

    def authorized(self, query: dict, headers: dict) -> bool:
        if query.get("api_key") == self.api_key:
            return True
        return headers.get("authorization") == f"Bearer {self.read_access_token}"


_EXTERNAL_SOURCES = (
    "imdb_id",
    "facebook_id",
    "instagram_id",
    "tvdb_id",
    "tiktok_id",
    "twitter_id",
    "wikidata_id",
)


def _title_match(movie: dict, text: str) -> bool:
    return text in movie["title"].lower() or text in (movie.get("original_title") or "").lower()


def _genre_set(value: str | None) -> tuple[set[int], bool]:
    """("28|12" → ({28, 12}, any-of); "28,12" → ({28, 12}, all-of))."""
    if not value:
        return set(), False
    any_of = "|" in value
    return {int(part) for part in value.replace("|", ",").split(",") if part.strip().isdigit()}, any_of


def _discover_match(movie: dict, query: dict) -> bool:
    genres = {genre["id"] for genre in movie.get("genres", [])}
    wanted, any_of = _genre_set(query.get("with_genres"))
    if wanted and not (genres & wanted if any_of else wanted <= genres):
        return False
    if genres & _genre_set(query.get("without_genres"))[0]:
        return False
    if float(movie.get("vote_average") or 0) < float(query.get("vote_average.gte") or 0):
        return False
    if int(movie.get("vote_count") or 0) < int(query.get("vote_count.gte") or 0):
        return False
    year = query.get("primary_release_year")
    return not year or (movie.get("release_date") or "").startswith(str(year))


def _with_media_type(movie: dict) -> dict:
    """Trending, recommendations and find results carry `media_type` (TMDb's multi-kind lists)."""
    item = list_item(movie)
    return {**dict(list(item.items())[:2]), "media_type": "movie", **item}


def _window(before: int, after: int) -> dict:
    today = date.today()
    return {
        "maximum": (today + timedelta(days=after)).isoformat(),
        "minimum": (today - timedelta(days=before)).isoformat(),
    }


_RELATED_SHAPES = {"recommendations": _with_media_type, "similar": list_item}
# now_playing and upcoming say which release dates they cover.
_DATED_LISTS = {"now_playing": lambda: _window(40, 0), "upcoming": lambda: _window(-1, 30)}

_LIST_ORDER = {
    "popular": lambda m: (-m["popularity"], m["id"]),
    "top_rated": lambda m: (-m["vote_average"], -m["vote_count"], m["id"]),
    "now_playing": lambda m: (-m["popularity"], m["id"]),
    "upcoming": lambda m: (m["release_date"] or "9999", m["id"]),
}


class _Handler(BaseHTTPRequestHandler):
    double: TMDbDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        return

    def do_GET(self):
        split = urlsplit(self.path)
        path = split.path.removeprefix("/3/").lstrip("/")
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        headers = {key.lower(): value for key, value in self.headers.items()}
        with self.double.lock:
            self.double.requests.append(ReceivedRequest(path=path, query=query, headers=headers))
        fault = self.double._take_fault(path)
        if fault is not None and self._apply_fault(fault):
            return
        if not self.double.authorized(query, headers):
            self._send_json(401, error_body(7))
            return
        status, body = self.double.respond(path, query)
        self._send_json(status, body)

    def _apply_fault(self, fault: Fault) -> bool:
        """True when the fault produced the whole answer; a pure delay lets the request proceed."""
        if fault.delay:
            time.sleep(fault.delay)
        if fault.drop:
            self.close_connection = True
            self.connection.close()
            return True
        if fault.redirect_to is not None:
            self._send_raw(302, b"", {"Location": fault.redirect_to})
            return True
        if fault.raw is not None:
            self._send_raw(fault.status, fault.raw, {"Content-Type": "application/json", **fault.headers})
            return True
        if fault.status and fault.status != 200:
            body = fault.body if fault.body is not None else error_body(default_error_code(fault.status))
            self._send_json(fault.status, body, fault.headers)
            return True
        return False

    def _send_json(self, status: int, body: object, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        self._send_raw(status, payload, {"Content-Type": "application/json;charset=utf-8", **(headers or {})})

    def _send_raw(self, status: int, payload: bytes, headers: dict) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
