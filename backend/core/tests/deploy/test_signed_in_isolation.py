"""Never cross the streams: signed-in and anonymous readers of the same cached catalog pages, through
two server processes and through nginx's proxy cache, each see only their own personal flags; a
reader's own writes, preference changes and ended sessions apply on their very next request.

Two replicas run what the image runs (`docker/entrypoint.sh web`, production settings; granian,
then again gunicorn with WEB_SERVER=gunicorn) on this test database and Redis (the same cache key
prefix as this process, so writes made here reach them), with the TMDb double behind; real nginx
with the deployment's config is in front of both.
The tests speak HTTP only, so they hold whatever way the server builds a signed-in page: rendered
per request, or a shared cached page with the reader's flags merged in. `watched` is checked only
where a movie payload carries it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from django.contrib.auth.hashers import make_password

from apps.authentication.models import User
from apps.movies.services import MovieService

from . import harness

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HOST = "localhost"
PASSWORD = "a-long-password-for-the-streams-42"
NEW_PASSWORD = "another-long-password-for-the-streams-43"
MOVIES = [4301, 4302, 4303, 4304, 4305, 4306]
POPULAR = "/api/v1/movies/popular/"
SEARCH = "/api/v1/movies/search/?q=Crossed"
FAVORITES, WATCHLIST, WATCHED = "/api/v1/favorites/", "/api/v1/watchlist/", "/api/v1/watched/"


def detail(tmdb_id: int) -> str:
    return f"/api/v1/movies/{tmdb_id}/"


@dataclass
class Stack:
    replicas: list[str]
    nginx: str

    def request(self, method: str, where: int | str, path: str, token: str = "", **kwargs):
        """`where` is a replica's index or "nginx"."""
        base = self.nginx if where == "nginx" else self.replicas[where]
        headers = {"Host": HOST, **({"Authorization": f"Bearer {token}"} if token else {})}
        return requests.request(method, base + path, headers=headers, timeout=15, **kwargs)

    def get(self, where: int | str, path: str, token: str = "") -> requests.Response:
        return self.request("GET", where, path, token)


@dataclass
class Reader:
    """A signed-in user and what they keep: TMDb id -> entry id (viewings: -> (id, date, rating))."""

    email: str
    token: str
    favorites: dict[int, int] = field(default_factory=dict)
    watchlist: dict[int, int] = field(default_factory=dict)
    watched: dict[int, tuple[int, str, int]] = field(default_factory=dict)


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def stack(request, tmp_path_factory, django_db_setup, django_db_blocker, _tmdb_double_server):
    """Two replicas of the deployment's server (and again of gunicorn), nginx in front."""
    from django.conf import settings
    from django.db import connection

    from testing.tmdb.double import API_KEY

    tmp = tmp_path_factory.mktemp(f"signed-in-isolation-{request.param}")
    with django_db_blocker.unblock():
        database_url = harness.database_url(connection.settings_dict)
    ports = [harness.free_port(), harness.free_port()]
    env = harness.web_env(
        server=request.param,
        port=ports[0],
        static_root=tmp / "static",
        database_url=database_url,
        host=HOST,
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        TMDB_BASE_URL=_tmdb_double_server.base_url,
        TMDB_API_KEY=API_KEY,
        TMDB_READ_ACCESS_TOKEN="",
        TMDB_FAILURE_COOLDOWN="0",
        THROTTLE_LOGIN_IP="10000/min",
        THROTTLE_LOGIN_ACCOUNT="10000/min",
        THROTTLE_ANON="100000/min",
        THROTTLE_USER="100000/min",
    )
    with harness.replicas_behind_nginx(
        tmp, [env, env], ports=ports, host=HOST, static_root=tmp / "static"
    ) as (replicas, nginx):
        yield Stack(replicas, nginx)


@pytest.fixture
def catalog(tmdb_double):
    """Six stored movies that are TMDb's popular list and match the search `Crossed`."""
    for rank, tmdb_id in enumerate(MOVIES):
        tmdb_double.add_movie(tmdb_id, title=f"Crossed Stream {rank}", popularity=90.0 - rank, genre_ids=[18])
    tmdb_double.set_list("popular", MOVIES)
    for tmdb_id in MOVIES:
        MovieService().sync_movie_from_tmdb(tmdb_id=tmdb_id)
    return MOVIES


def sign_up(stack: Stack, name: str, *, replica: int = 0) -> Reader:
    """A verified account (argon2, which the production settings verify) and a login through the API."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    User.objects.create(email=email, password=make_password(PASSWORD, hasher="argon2"), email_verified=True)
    return Reader(email=email, token=login(stack, email, replica=replica))


def login(stack: Stack, email: str, *, replica: int = 0, password: str = PASSWORD) -> str:
    response = stack.request(
        "POST", replica, "/api/v1/auth/login/", json={"email": email, "password": password}
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()["data"]["access"]


def add(stack: Stack, replica: int, reader: Reader, path: str, tmdb_id: int, **values) -> int:
    response = stack.request("POST", replica, path, reader.token, json={"movie_id": tmdb_id, **values})
    assert response.status_code in (200, 201), (path, response.status_code, response.text[:300])
    entry = response.json()["data"]
    if path == FAVORITES:
        reader.favorites[tmdb_id] = entry["id"]
    elif path == WATCHLIST:
        reader.watchlist[tmdb_id] = entry["id"]
    else:
        reader.watched[tmdb_id] = (entry["id"], entry["watched_on"], entry.get("rating"))
    return entry["id"]


def remove(stack: Stack, replica: int, reader: Reader, path: str, tmdb_id: int) -> None:
    kept = {FAVORITES: reader.favorites, WATCHLIST: reader.watchlist, WATCHED: reader.watched}[path]
    entry = kept.pop(tmdb_id)
    entry_id = entry[0] if isinstance(entry, tuple) else entry
    response = stack.request("DELETE", replica, f"{path}{entry_id}/", reader.token)
    assert response.status_code == 204, (path, response.status_code, response.text[:300])


def movies_of(response: requests.Response) -> list[dict]:
    data = response.json()["data"]
    items = data if isinstance(data, list) else [data]
    return [item.get("movie", item) for item in items]  # favorites/watchlist entries wrap their movie


def assert_flags(response: requests.Response, reader: Reader | None, where: str) -> None:
    """Every movie on the page says the reader's own flags (anonymous: none), and only theirs."""
    assert response.status_code == 200, (where, response.status_code, response.text[:300])
    movies = movies_of(response)
    assert movies, where
    for movie in movies:
        tmdb_id, context = movie["id"], (where, reader.email if reader else "anonymous", movie)
        if reader is None:
            assert not movie.get("is_favorite") and not movie.get("in_watchlist"), context
            assert not movie.get("watched"), context
            continue
        assert movie["is_favorite"] is (tmdb_id in reader.favorites), context
        assert movie["in_watchlist"] is (tmdb_id in reader.watchlist), context
        if "watched" in movie:
            assert_watched(movie["watched"], reader.watched.get(tmdb_id), context)


def assert_watched(watched, logged: tuple[int, str, int] | None, context) -> None:
    """null when not watched; else an object carrying the last watch date and the rating."""
    if logged is None:
        assert watched is None, context
        return
    _, watched_on, rating = logged
    assert isinstance(watched, dict), context
    assert watched_on in json.dumps(watched), context
    assert rating in watched.values(), context


def assert_private(response: requests.Response, where: str) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    assert "private" in cache_control and "public" not in cache_control, (where, cache_control)


def listed(stack: Stack, where: int | str, reader: Reader, path: str) -> set[int]:
    response = stack.get(where, f"{path}?page_size=100", reader.token)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert_private(response, path)
    return {movie["id"] for movie in movies_of(response)}


# a. TWO USERS AND ANONYMOUS ON THE SAME PAGES ---------------------------------------------------
def test_each_reader_sees_only_their_own_flags_on_both_processes(stack, catalog):
    # given two users keeping different, overlapping movies, added through either process
    alice, bob = sign_up(stack, "alice"), sign_up(stack, "bob", replica=1)
    add(stack, 0, alice, FAVORITES, MOVIES[0])
    add(stack, 1, alice, FAVORITES, MOVIES[1])
    add(stack, 0, alice, WATCHLIST, MOVIES[2])
    add(stack, 1, alice, WATCHED, MOVIES[0], rating=8)
    add(stack, 1, bob, FAVORITES, MOVIES[2])
    add(stack, 0, bob, WATCHLIST, MOVIES[0])
    add(stack, 1, bob, WATCHLIST, MOVIES[3])
    add(stack, 0, bob, WATCHED, MOVIES[4], rating=6)
    pages = [POPULAR, SEARCH, detail(MOVIES[0]), detail(MOVIES[2])]
    # when they and anonymous readers read the same pages, interleaved, again and again
    for round_number in range(2):
        for replica in (0, 1, 1, 0):
            for path in pages:
                for reader in (alice, None, bob, None, bob, alice):
                    response = stack.get(replica, path, reader.token if reader else "")
                    # then each sees only their own flags, whatever was cached before
                    where = f"round {round_number}, replica {replica}, {path}"
                    assert_flags(response, reader, where)
                    if reader:
                        assert_private(response, where)


# b. A USER'S OWN WRITES SHOW ON THEIR NEXT REQUEST -----------------------------------------------
def _warm(stack: Stack, reader: Reader) -> None:
    for replica in (0, 1):
        for path in (POPULAR, detail(MOVIES[3]), f"{FAVORITES}?page_size=100", f"{WATCHLIST}?page_size=100"):
            for _ in range(2):
                assert stack.get(replica, path, reader.token).status_code == 200, path


def _assert_seen(stack: Stack, reader: Reader, replica: int, path: str, tmdb_id: int) -> None:
    """The catalog (popular and the movie's detail) and the personal list both say it, at once."""
    where = f"replica {replica} after a write to {path}"
    assert_flags(stack.get(replica, POPULAR, reader.token), reader, where)
    assert_flags(stack.get(replica, detail(tmdb_id), reader.token), reader, where)
    kept = {FAVORITES: reader.favorites, WATCHLIST: reader.watchlist, WATCHED: reader.watched}[path]
    assert listed(stack, replica, reader, path) == set(kept), where


@pytest.mark.parametrize("path", [FAVORITES, WATCHLIST, WATCHED])
def test_own_add_and_remove_show_on_the_next_request_on_either_process(stack, catalog, path):
    # given a reader with one entry already, whose pages both processes have cached
    reader = sign_up(stack, "writer")
    add(stack, 0, reader, path, MOVIES[5], **({"rating": 7} if path == WATCHED else {}))
    _warm(stack, reader)
    for written_on, read_on in ((0, 1), (1, 0)):
        # when they add a movie on one process, then remove it through the other
        add(stack, written_on, reader, path, MOVIES[3], **({"rating": 9} if path == WATCHED else {}))
        # then their very next reads, on either process, say so (no sleep)
        _assert_seen(stack, reader, read_on, path, MOVIES[3])
        _assert_seen(stack, reader, written_on, path, MOVIES[3])
        remove(stack, read_on, reader, path, MOVIES[3])
        _assert_seen(stack, reader, written_on, path, MOVIES[3])
        _assert_seen(stack, reader, read_on, path, MOVIES[3])


# c. A SIGNED-OUT, CHANGED, DEACTIVATED OR DELETED USER GETS 401 AT ONCE ---------------------------
REVOKED_READS = (POPULAR, detail(MOVIES[0]), FAVORITES, "/api/v1/users/me/")


def _assert_reads(stack: Stack, token: str, status: int, why: str) -> None:
    for replica in (0, 1):
        for path in REVOKED_READS:
            response = stack.get(replica, path, token)
            assert response.status_code == status, (why, replica, path, response.text[:300])


def _logout(stack, reader, other_token, admin_client):
    response = stack.request("POST", 0, "/api/v1/auth/logout/", reader.token, json={})
    assert response.status_code == 200, response.text[:300]
    return [reader.token], [other_token]


def _logout_all(stack, reader, other_token, admin_client):
    response = stack.request("POST", 1, "/api/v1/auth/logout-all/", reader.token)
    assert response.status_code == 200, response.text[:300]
    return [reader.token, other_token], []


def _revoke_the_other_session(stack, reader, other_token, admin_client):
    sessions = stack.get(0, "/api/v1/auth/sessions/", reader.token).json()["data"]
    other = next(session["id"] for session in sessions if not session["current"])
    response = stack.request("DELETE", 0, f"/api/v1/auth/sessions/{other}/", reader.token)
    assert response.status_code == 204, response.text[:300]
    return [other_token], [reader.token]


def _password_change(stack, reader, other_token, admin_client):
    payload = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = stack.request("POST", 0, "/api/v1/auth/password/change/", reader.token, json=payload)
    assert response.status_code == 200, response.text[:300]
    return [other_token], [reader.token]  # every other session ends; this one stays


def _admin_deactivate(stack, reader, other_token, admin_client):
    pk = User.objects.get(email=reader.email).pk
    response = admin_client.post(
        "/admin/authentication/user/", {"action": "deactivate_users", "_selected_action": [pk]}
    )
    assert response.status_code == 302, response.status_code
    assert not User.objects.get(pk=pk).is_active
    return [reader.token, other_token], []


def _admin_revoke_sessions(stack, reader, other_token, admin_client):
    pk = User.objects.get(email=reader.email).pk
    response = admin_client.post(
        "/admin/authentication/user/", {"action": "revoke_all_sessions", "_selected_action": [pk]}
    )
    assert response.status_code == 302, response.status_code
    return [reader.token, other_token], []


def _save_deactivate(stack, reader, other_token, admin_client):
    user = User.objects.get(email=reader.email)
    user.is_active = False
    user.save()
    return [reader.token, other_token], []


def _delete_account(stack, reader, other_token, admin_client):
    response = stack.request("DELETE", 1, "/api/v1/users/me/", reader.token, json={"password": PASSWORD})
    assert response.status_code == 204, response.text[:300]
    return [reader.token, other_token], []


def _delete_row(stack, reader, other_token, admin_client):
    User.objects.get(email=reader.email).delete()  # what the admin's delete view does
    return [reader.token, other_token], []


@pytest.mark.parametrize(
    "act",
    [
        _logout,
        _logout_all,
        _revoke_the_other_session,
        _password_change,
        _admin_revoke_sessions,
        _admin_deactivate,
        _save_deactivate,
        _delete_account,
        _delete_row,
    ],
    ids=lambda act: act.__name__.strip("_"),
)
def test_an_ended_session_gets_401_at_once_on_either_process(stack, catalog, admin_client, act):
    # given a user signed in twice (one session per process), every read already served and cached
    reader = sign_up(stack, "leaving")
    add(stack, 0, reader, FAVORITES, MOVIES[0])
    other_token = login(stack, reader.email, replica=1)
    for token in (reader.token, other_token):
        for _ in range(2):
            _assert_reads(stack, token, 200, "before")
    # when the session ends (or the account does)
    dead, alive = act(stack, reader, other_token, admin_client)
    # then the very next request with an ended session's old access token is a 401 on both processes
    for token in dead:
        _assert_reads(stack, token, 401, act.__name__)
    for token in alive:
        _assert_reads(stack, token, 200, act.__name__)


# d. THROUGH NGINX'S PROXY CACHE ------------------------------------------------------------------
def _assert_not_from_nginx(response: requests.Response, where: str) -> None:
    assert response.headers.get("X-Proxy-Cache") != "HIT", (where, response.headers.get("X-Proxy-Cache"))
    assert response.headers.get("X-Cache-Level") != "nginx", (where, response.headers.get("X-Cache-Level"))


def test_a_signed_in_response_is_never_stored_nor_served_to_anyone_else(stack, catalog):
    # given two users with different flags on popular, and a URL nginx has never seen
    alice, bob = sign_up(stack, "alice"), sign_up(stack, "bob")
    add(stack, 0, alice, FAVORITES, MOVIES[0])
    add(stack, 1, alice, WATCHLIST, MOVIES[1])
    add(stack, 0, bob, FAVORITES, MOVIES[1])
    path = f"{POPULAR}?page_size=5"
    # when alice reads it through nginx, twice
    for attempt in range(2):
        mine = stack.get("nginx", path, alice.token)
        # then her answer is hers, private, and not nginx's stored copy
        assert_flags(mine, alice, f"alice through nginx, attempt {attempt}")
        assert_private(mine, "alice through nginx")
        _assert_not_from_nginx(mine, "alice through nginx")
    # and nginx stored none of it: the first anonymous read is a miss, with no one's flags
    first = stack.get("nginx", path)
    assert first.headers.get("X-Proxy-Cache") in ("MISS", "EXPIRED"), first.headers.get("X-Proxy-Cache")
    assert_flags(first, None, "first anonymous read through nginx")
    # and anonymous readers then get nginx's copy, still with no one's flags, while bob gets his own
    second = stack.get("nginx", path)
    assert (second.headers.get("X-Proxy-Cache"), second.headers.get("X-Cache-Level")) == ("HIT", "nginx")
    assert_flags(second, None, "second anonymous read through nginx")
    for who in (bob, alice):
        response = stack.get("nginx", path, who.token)
        assert_flags(response, who, f"{who.email} through nginx after anonymous reads")
        assert_private(response, "signed in through nginx")
        _assert_not_from_nginx(response, "signed in through nginx")


def test_a_request_with_authorization_never_gets_nginx_cached_anonymous_bytes(stack, catalog):
    # given nginx holds the anonymous detail and popular pages
    reader = sign_up(stack, "reader")
    add(stack, 1, reader, FAVORITES, MOVIES[2])
    add(stack, 0, reader, WATCHED, MOVIES[2], rating=5)
    pages = [detail(MOVIES[2]), f"{POPULAR}?page_size=6"]
    for path in pages:
        stack.get("nginx", path)
        assert stack.get("nginx", path).headers.get("X-Proxy-Cache") == "HIT", path
    for path in pages:
        # when the user reads them through nginx with a token
        response = stack.get("nginx", path, reader.token)
        # then the app answered, with the user's flags, and nothing came from nginx's cache
        assert response.headers.get("X-Proxy-Cache") == "BYPASS", path
        _assert_not_from_nginx(response, path)
        assert_flags(response, reader, f"{path} with a token through nginx")
        assert_private(response, path)


# e. THE READER'S PREFERENCES, CHANGED, APPLY ON THE NEXT REQUEST ---------------------------------
def _languages(stack: Stack, reader: Reader) -> set[str]:
    return {
        stack.get(replica, path, reader.token).json()["meta"]["language"]
        for replica in (0, 1)
        for path in (POPULAR, detail(MOVIES[0]))
    }


def test_a_preferences_change_applies_to_the_next_catalog_read_on_either_process(stack, catalog):
    # given a reader whose catalog pages both processes have served in the default language
    reader = sign_up(stack, "polyglot")
    default = _languages(stack, reader)
    assert len(default) == 1 and "fr" not in default, default
    for written_on in (0, 1):
        # when they change their language on one process
        response = stack.request(
            "PATCH", written_on, "/api/v1/users/me/preferences/", reader.token, json={"language": "fr"}
        )
        assert response.status_code == 200, response.text[:300]
        # then their next reads on both processes are in it, and anonymous readers' are not
        assert _languages(stack, reader) == {"fr"}
        assert {stack.get(replica, POPULAR).json()["meta"]["language"] for replica in (0, 1)} == default
        response = stack.request(
            "PATCH", 1 - written_on, "/api/v1/users/me/preferences/", reader.token, json={"language": ""}
        )
        assert response.status_code == 200, response.text[:300]
        assert _languages(stack, reader) == default
