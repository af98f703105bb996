"""Signed-in reads: the shared cached page with each reader's own flags, no SQL when warm, and every
change (their own writes, logout, deactivation, deletion, preferences) seen on the next request."""

import datetime

import pytest
from conftest import access_token_for
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.authentication.models import User
from apps.favorites.models import Favorite, WatchlistItem
from apps.history.models import Viewing
from apps.movies.tests.factories import MovieFactory
from core import cache

pytestmark = pytest.mark.django_db

LIST = "/api/v1/movies/?page_size=20&ordering=-popularity"
PASSWORD = "a-long-password-1"


@pytest.fixture
def movies():
    return [MovieFactory(tmdb_id=1000 + index, popularity=100 - index) for index in range(6)]


def reader(email: str) -> APIClient:
    user = User.objects.create_user(email=email, password=PASSWORD, email_verified=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    client.user = user
    return client


def flags(response) -> dict[int, tuple]:
    """tmdb id -> (is_favorite, in_watchlist, watched) of every movie of a list response."""
    return {
        item["id"]: (item["is_favorite"], item["in_watchlist"], item["watched"])
        for item in response.json()["data"]
    }


def test_two_readers_share_one_rendering_and_each_sees_only_their_own_flags(api_client, movies):
    # given two readers with different favorites, watchlists and viewings
    ann, bob = reader("ann@example.com"), reader("bob@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    WatchlistItem.objects.create(user=ann.user, movie=movies[1])
    Viewing.objects.create(user=ann.user, movie=movies[2], watched_on=datetime.date(2024, 5, 1), rating=9)
    Viewing.objects.create(user=ann.user, movie=movies[2], watched_on=datetime.date(2025, 1, 2))
    Favorite.objects.create(user=bob.user, movie=movies[3])
    # when the anonymous page is cached first, then both read it
    anonymous = api_client.get(LIST)
    for_ann, for_bob = ann.get(LIST), bob.get(LIST)
    # then one rendering answered all three
    assert (anonymous["X-Cache"], for_ann["X-Cache"], for_bob["X-Cache"]) == ("MISS", "HIT", "HIT")
    # and each saw only their own flags: the last date watched with the latest rating given
    assert {key: value for key, value in flags(for_ann).items() if value != (False, False, None)} == {
        1000: (True, False, None),
        1001: (False, True, None),
        1002: (False, False, {"date": "2025-01-02", "rating": 9}),
    }
    assert {key: value for key, value in flags(for_bob).items() if value != (False, False, None)} == {
        1003: (True, False, None)
    }
    assert set(flags(anonymous).values()) == {(False, False, None)}
    assert for_ann["Cache-Control"] == for_bob["Cache-Control"] == "private, no-store"


def test_a_warm_signed_in_read_runs_no_sql(movies):
    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    for url in (LIST, f"/api/v1/movies/{movies[0].tmdb_id}/", "/api/v1/favorites/", "/api/v1/watchlist/"):
        ann.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = ann.get(url)
        assert response.status_code == 200
        assert queries.captured_queries == [], url


def test_a_favorites_page_costs_at_most_three_queries_when_not_cached(movies, django_assert_max_num_queries):
    ann = reader("ann@example.com")
    for movie in movies:
        Favorite.objects.create(user=ann.user, movie=movie)
    ann.get(LIST)  # the token, session and flags are cached
    with django_assert_max_num_queries(3):
        response = ann.get("/api/v1/favorites/?page_size=20")
    items = response.json()["data"]
    assert len(items) == 6
    assert all(item["movie"]["is_favorite"] for item in items)


def test_favorites_items_carry_the_catalog_flags(movies):
    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    WatchlistItem.objects.create(user=ann.user, movie=movies[0])
    Viewing.objects.create(user=ann.user, movie=movies[0], watched_on=datetime.date(2024, 5, 1), rating=7)
    item = ann.get("/api/v1/favorites/").json()["data"][0]["movie"]
    catalog_item = ann.get(f"/api/v1/movies/{movies[0].tmdb_id}/").json()["data"]
    expected = (True, True, {"date": "2024-05-01", "rating": 7})
    assert (item["is_favorite"], item["in_watchlist"], item["watched"]) == expected
    assert (catalog_item["is_favorite"], catalog_item["in_watchlist"], catalog_item["watched"]) == expected


@pytest.mark.django_db(transaction=True)
def test_a_readers_own_writes_show_on_their_next_request(movies, tmdb_double):
    ann = reader("ann@example.com")
    movie = movies[0]
    assert flags(ann.get(LIST))[movie.tmdb_id] == (False, False, None)
    assert ann.get("/api/v1/favorites/").json()["data"] == []
    # a favorite
    added = ann.post("/api/v1/favorites/", {"movie_id": movie.tmdb_id}, format="json")
    assert added.status_code == 201
    assert added.json()["data"]["movie"]["is_favorite"] is True
    assert flags(ann.get(LIST))[movie.tmdb_id] == (True, False, None)
    assert [item["movie"]["id"] for item in ann.get("/api/v1/favorites/").json()["data"]] == [movie.tmdb_id]
    # the watchlist
    assert ann.post("/api/v1/watchlist/", {"movie_id": movie.tmdb_id}, format="json").status_code == 201
    assert flags(ann.get(LIST))[movie.tmdb_id] == (True, True, None)
    assert ann.get("/api/v1/favorites/").json()["data"][0]["movie"]["in_watchlist"] is True
    # a viewing
    logged = ann.post(
        "/api/v1/watched/",
        {"movie_id": movie.tmdb_id, "watched_on": "2024-03-04", "rating": 8},
        format="json",
    )
    assert logged.status_code == 201
    assert flags(ann.get(LIST))[movie.tmdb_id] == (True, True, {"date": "2024-03-04", "rating": 8})
    # and back out
    favorite_id = ann.get("/api/v1/favorites/").json()["data"][0]["id"]
    assert ann.delete(f"/api/v1/favorites/{favorite_id}/").status_code == 204
    assert flags(ann.get(LIST))[movie.tmdb_id][0] is False
    assert ann.get("/api/v1/favorites/").json()["data"] == []


def test_a_preferences_change_moves_the_reader_to_their_new_audience(movies):
    ann = reader("ann@example.com")
    assert ann.get(LIST).json()["meta"]["language"] == "en-US"
    response = ann.patch("/api/v1/users/me/preferences/", {"language": "fr-FR"}, format="json")
    assert response.status_code == 200
    assert ann.get(LIST).json()["meta"]["language"] == "fr-FR"


def _deactivate(client) -> None:
    user = User.objects.get(pk=client.user.pk)
    user.is_active = False
    user.save()


def _delete(client) -> None:
    User.objects.get(pk=client.user.pk).delete()


def _logout(client) -> None:
    assert client.post("/api/v1/auth/logout/", {}, format="json").status_code in (200, 204)


def _logout_everywhere_from_another_session(client) -> None:
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(client.user)}")
    assert other.post("/api/v1/auth/logout-all/", {}, format="json").status_code == 200


def _password_changed_in_another_session(client) -> None:
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(client.user)}")
    response = other.post(
        "/api/v1/auth/password/change/",
        {"current_password": PASSWORD, "new_password": "another-long-password-2"},
        format="json",
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "end",
    [
        _logout,
        _logout_everywhere_from_another_session,
        _password_changed_in_another_session,
        _deactivate,
        _delete,
    ],
)
def test_an_ended_session_or_account_is_refused_on_the_very_next_request(movies, end):
    # given a reader whose token, session and flags are all cached by warm reads
    ann = reader("ann@example.com")
    for url in (LIST, "/api/v1/favorites/"):
        assert ann.get(url).status_code == 200
        assert ann.get(url).status_code == 200
    # when
    end(ann)
    # then, with no wait
    for url in (LIST, "/api/v1/favorites/", f"/api/v1/movies/{movies[0].tmdb_id}/"):
        response = ann.get(url)
        assert response.status_code == 401, (url, response.content)
        assert response["Cache-Control"] == "private, no-store"


def test_staff_deactivation_in_bulk_is_refused_at_once(movies, rf, monkeypatch):
    from django.contrib.admin.sites import site

    ann = reader("ann@example.com")
    assert ann.get(LIST).status_code == 200
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    model_admin = site._registry[User]
    request = rf.post("/admin/")
    request.user = admin
    monkeypatch.setattr(model_admin, "message_user", lambda *args, **kwargs: None)
    model_admin._set_active(request, User.objects.filter(pk=ann.user.pk), active=False)
    assert ann.get(LIST).status_code == 401


def test_the_request_user_holds_the_principal_and_loads_the_rest_once(movies):
    from apps.authentication.authentication import SessionJWTAuthentication

    staff = User.objects.create_user(
        email="staff@example.com", password=PASSWORD, is_staff=True, email_verified=True
    )
    request = APIClient().get("/").wsgi_request
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {access_token_for(staff)}"
    SessionJWTAuthentication().authenticate(request)  # caches the principal
    del request.bearer
    with CaptureQueriesContext(connection) as queries:
        user, _ = SessionJWTAuthentication().authenticate(request)
        assert (user.pk, user.is_staff, user.is_active, user.email_verified, user.is_superuser) == (
            staff.pk,
            True,
            True,
            True,
            False,
        )
    assert queries.captured_queries == []
    with CaptureQueriesContext(connection) as queries:
        assert (user.email, user.date_joined) == (staff.email, staff.date_joined)
    assert len(queries.captured_queries) == 1


def test_without_the_cache_authentication_and_flags_come_from_the_database(movies, monkeypatch):
    from core.cache import namespaces

    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    monkeypatch.setattr(namespaces, "versions_and_values", lambda *args, **kwargs: None)
    ann.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        response = ann.get(LIST)
    assert response.status_code == 200
    assert flags(response)[movies[0].tmdb_id] == (True, False, None)
    # the principal, the session and the flags were read from the database, not the cache
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert all(table in tables for table in ("auth_user", "auth_user_session", "favorites_favorite"))
    _deactivate(ann)
    assert ann.get(LIST).status_code == 401


def test_a_page_whose_flags_cannot_be_told_apart_is_rendered_for_the_reader(movies, monkeypatch):
    from core.cache import http

    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    monkeypatch.setattr(http, "find_slots", lambda body, ids: None)
    response = ann.get(LIST)
    assert response["X-Cache"] == "BYPASS"
    assert flags(response)[movies[0].tmdb_id][0] is True


def test_fields_keep_only_the_flags_asked_for(api_client, movies):
    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0])
    WatchlistItem.objects.create(user=ann.user, movie=movies[0])
    cache.invalidate_user(ann.user.pk)
    data = ann.get(f"{LIST}&fields=title,in_watchlist").json()["data"]
    assert data[0] == {"id": 1000, "title": movies[0].title, "in_watchlist": True}
    assert set(data[1]) == {"id", "title", "in_watchlist"}


@pytest.mark.parametrize("side", ["profile", "genre"])
def test_favorite_genres_changed_from_either_side_make_the_users_cache_stale(side):
    from apps.movies.tests.factories import GenreFactory
    from apps.users.models import Profile
    from core.cache import keys

    ann = reader("ann@example.com")
    profile, _ = Profile.objects.get_or_create(user=ann.user)
    genre = GenreFactory()
    name = keys.user_data_namespace(ann.user.pk)
    before = cache.namespace_version(name, reuse_for=0)
    if side == "profile":
        profile.favorite_genres.add(genre)
    else:
        genre.fans.add(profile)
    assert cache.namespace_version(name, reuse_for=0) != before


@pytest.mark.django_db(transaction=True)
def test_rows_written_outside_the_services_show_on_the_next_request_too(movies):
    # e.g. staff deleting a favorite in the admin, or a viewing added from a shell
    ann = reader("ann@example.com")
    favorite = Favorite.objects.create(user=ann.user, movie=movies[0])
    assert flags(ann.get(LIST))[movies[0].tmdb_id][0] is True
    favorite.delete()
    Viewing.objects.create(user=ann.user, movie=movies[1], watched_on=datetime.date(2024, 1, 1))
    after = flags(ann.get(LIST))
    assert after[movies[0].tmdb_id][0] is False
    assert after[movies[1].tmdb_id][2] == {"date": "2024-01-01", "rating": None}
    assert ann.get("/api/v1/favorites/").json()["data"] == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_warm_read_uses_this_processs_copy_until_a_change_is_announced(movies, monkeypatch):
    import time

    from django.conf import settings

    from apps.authentication.principal import copies, users
    from core.cache import namespaces

    ann = reader("ann@example.com")
    deadline = time.monotonic() + 10
    while copies.listener.trusted_since() is None:  # the listener subscribes in its own thread
        assert time.monotonic() < deadline, "the users broadcast is never heard"
        time.sleep(0.05)
    ann.get(LIST)
    reads = []
    real = namespaces.versions_and_values
    monkeypatch.setattr(namespaces, "versions_and_values", lambda *args: reads.append(args) or real(*args))
    # a warm read: no Redis round trip for the token's user and session
    assert ann.get(LIST).status_code == 200
    assert reads == []
    # another process announces a change of this user (as its invalidate_user does): dropped here
    users.announce(str(ann.user.pk))
    assert ann.get(LIST).status_code == 200
    assert len(reads) == 1
    # a copy past AUTH_LOCAL_SECONDS is read again, and that fresh read is trusted anew
    copies.entries[ann.user.pk].checked -= settings.AUTH_LOCAL_SECONDS + 1
    assert ann.get(LIST).status_code == 200
    assert ann.get(LIST).status_code == 200
    assert len(reads) == 2
    # and a change made here is seen at once, by this process too
    User.objects.filter(pk=ann.user.pk).update(is_active=False)
    cache.invalidate_user(ann.user.pk, account=True)
    assert ann.get(LIST).status_code == 401


def test_a_list_item_is_compact_by_default_and_fields_choose_more_or_less(movies):
    ann = reader("ann@example.com")
    Favorite.objects.create(user=ann.user, movie=movies[0], user_rating=8)
    item = ann.get("/api/v1/favorites/").json()["data"][0]
    assert set(item) == {"id", "movie", "user_rating", "notes", "added_at"}
    catalog_item = ann.get(f"{LIST}").json()["data"][0]
    assert item["movie"] == catalog_item  # the catalog's item shape, flags included
    chosen = ann.get("/api/v1/favorites/?fields=updated_at,title,is_favorite").json()["data"][0]
    assert chosen == {
        "id": item["id"],
        "updated_at": chosen["updated_at"],
        "movie": {"id": movies[0].tmdb_id, "title": movies[0].title, "is_favorite": True},
    }
    refused = ann.get("/api/v1/watchlist/?fields=user_rating")  # a favorites-only field
    assert refused.status_code == 400
    assert "fields" in refused.json()["errors"]["fields"]
