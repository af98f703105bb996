"""The favorites and watchlist endpoints: behaviour shared by both collections, tested on each."""

from dataclasses import dataclass

import pytest

from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import GenreFactory, MovieFactory

from .conftest import DownMovies, MissingMovies, SyncingMovies
from .factories import FavoriteFactory, UserFactory, WatchlistItemFactory, bulk_entries

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Collection:
    name: str
    url: str
    model: type
    factory: type

    def detail(self, entry_id: int) -> str:
        return f"{self.url}{entry_id}/"


COLLECTIONS = {
    "favorites": Collection("favorites", "/api/v1/favorites/", Favorite, FavoriteFactory),
    "watchlist": Collection("watchlist", "/api/v1/watchlist/", WatchlistItem, WatchlistItemFactory),
}


@pytest.fixture(params=sorted(COLLECTIONS))
def collection(request) -> Collection:
    return COLLECTIONS[request.param]


# Adding -----------------------------------------------------------------------------------------
def test_add_returns_201_with_the_embedded_movie(client, collection, use_movies):
    # given
    use_movies(SyncingMovies())
    drama = GenreFactory(tmdb_id=18, name="Drama")
    movie = MovieFactory(tmdb_id=550, title="Fight Club", genres=[drama])
    # when
    response = client.post(collection.url, {"movie_id": 550, "notes": "soap"}, format="json")
    # then
    body = response.json()
    assert response.status_code == 201
    assert body["success"] is True
    assert body["data"]["movie"]["id"] == movie.tmdb_id
    assert body["data"]["movie"]["genres"] == [{"id": 18, "name": "Drama", "slug": "drama"}]
    assert body["data"]["notes"] == "soap"
    assert response["Cache-Control"] == "private, no-store"


def test_adding_twice_returns_200_with_the_same_entry(client, collection, use_movies):
    # given
    use_movies(SyncingMovies())
    movie = MovieFactory()
    first = client.post(collection.url, {"movie_id": movie.tmdb_id}, format="json").json()["data"]
    # when
    response = client.post(collection.url, {"movie_id": movie.tmdb_id, "notes": "again"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["data"]["id"] == first["id"]
    assert response.json()["data"]["notes"] == ""
    assert collection.model.objects.count() == 1


def test_unknown_movie_is_synced_then_added(client, collection, use_movies):
    # given
    movies = use_movies(SyncingMovies(title="Arrival"))
    # when
    response = client.post(collection.url, {"movie_id": 329865}, format="json")
    # then
    assert response.status_code == 201
    assert movies.calls == [329865]
    assert response.json()["data"]["movie"]["title"] == "Arrival"


def test_tmdb_down_is_503_with_retry_after_and_nothing_written(client, collection, use_movies):
    # given
    use_movies(DownMovies(retry_after=23))
    # when
    response = client.post(collection.url, {"movie_id": 329865}, format="json")
    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "23"
    assert response.json()["errors"]["code"] == "upstream_unavailable"
    assert not collection.model.objects.exists()


def test_movie_unknown_to_tmdb_too_is_404(client, collection, use_movies):
    use_movies(MissingMovies())
    response = client.post(collection.url, {"movie_id": 999999}, format="json")
    assert response.status_code == 404
    assert response.json()["errors"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "movie_id"),
        ({"movie_id": 0}, "movie_id"),
        ({"movie_id": "abc"}, "movie_id"),
        ({"movie_id": 2**40}, "movie_id"),
        ({"movie_id": 1, "notes": "x" * 2001}, "notes"),
        ({"movie_id": 1, "notes": "nul\x00byte"}, "notes"),
    ],
)
def test_invalid_add_is_400_with_field_errors(client, collection, use_movies, payload, field):
    movies = use_movies(SyncingMovies())
    response = client.post(collection.url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]["fields"]
    assert movies.calls == []


@pytest.mark.parametrize(
    ("name", "payload", "unknown"),
    [
        ("favorites", {"movie_id": 13, "rating": 7}, "rating"),
        ("watchlist", {"movie_id": 13, "user_rating": 7}, "user_rating"),
        ("watchlist", {"movie_id": 13, "id": 1}, "id"),
    ],
)
def test_unknown_add_fields_are_400_not_dropped(client, use_movies, name, payload, unknown):
    # given a typo ("rating") or a field the collection does not have
    movies = use_movies(SyncingMovies())
    collection = COLLECTIONS[name]
    # when
    response = client.post(collection.url, payload, format="json")
    # then it is refused, naming the field, and nothing is written
    assert response.status_code == 400
    assert response.json()["errors"]["fields"] == {unknown: ["This field cannot be set."]}
    assert movies.calls == []
    assert not collection.model.objects.exists()


@pytest.mark.parametrize(("name", "unknown"), [("favorites", "rating"), ("watchlist", "user_rating")])
def test_unknown_update_fields_are_400_not_dropped(client, user, name, unknown):
    # given
    collection = COLLECTIONS[name]
    entry = collection.factory(user=user, notes="old")
    # when
    response = client.patch(collection.detail(entry.pk), {"notes": "new", unknown: 7}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]["fields"]) == [unknown]
    entry.refresh_from_db()
    assert entry.notes == "old"


def test_re_adding_a_removed_entry_restores_it(client, collection, use_movies):
    # given
    use_movies(SyncingMovies())
    entry = collection.factory(user=UserFactory(), notes="history")
    client.force_authenticate(entry.user)
    client.delete(collection.detail(entry.pk))
    # when
    response = client.post(collection.url, {"movie_id": entry.movie.tmdb_id}, format="json")
    # then
    assert response.status_code == 201
    assert response.json()["data"]["id"] == entry.pk
    assert response.json()["data"]["notes"] == "history"


# Reading ----------------------------------------------------------------------------------------
def test_list_shows_only_my_current_entries(client, user, other_user, collection):
    # given
    mine = collection.factory(user=user)
    collection.factory(user=user, is_active=False)
    collection.factory(user=other_user)
    # when
    response = client.get(collection.url)
    # then
    body = response.json()
    assert response.status_code == 200
    assert [item["id"] for item in body["data"]] == [mine.pk]
    assert body["meta"]["pagination"]["total_results"] == 1
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_list_runs_constant_queries(client, user, collection, django_assert_max_num_queries, page_size):
    # given
    genres = GenreFactory.create_batch(3)
    bulk_entries(collection.model, user=user, count=110, genres=genres)
    # when
    with django_assert_max_num_queries(4):
        response = client.get(f"{collection.url}?page_size={page_size}&q=movie&genre={genres[0].tmdb_id}")
    # then
    assert len(response.json()["data"]) == page_size
    assert len(response.json()["data"][0]["movie"]["genres"]) == 3


def test_search_covers_title_and_notes(client, user, collection):
    # given
    by_title = collection.factory(user=user, movie=MovieFactory(title="The Godfather"))
    by_notes = collection.factory(user=user, notes="Like the GODFATHER, but in space")
    collection.factory(user=user, movie=MovieFactory(title="Alien"))
    # when
    data = client.get(f"{collection.url}?q=godfather").json()["data"]
    # then
    assert {item["id"] for item in data} == {by_title.pk, by_notes.pk}


def test_filter_by_genre_and_release_years(client, user, collection):
    # given
    horror, comedy = GenreFactory(tmdb_id=27, name="Horror"), GenreFactory(tmdb_id=35, name="Comedy")
    eighties = collection.factory(
        user=user, movie=MovieFactory(genres=[horror, comedy], release_date="1984-06-01")
    )
    collection.factory(user=user, movie=MovieFactory(genres=[horror], release_date="2019-01-01"))
    collection.factory(user=user, movie=MovieFactory(genres=[comedy], release_date="1999-01-01"))
    # when
    by_genre = client.get(f"{collection.url}?genre=27").json()["data"]
    by_genres = client.get(f"{collection.url}?genre=27,35").json()["data"]
    by_years = client.get(f"{collection.url}?year_from=1980&year_to=1999").json()["data"]
    both = client.get(f"{collection.url}?genre=27&year_to=1990").json()["data"]
    # then
    assert len(by_genre) == 2
    assert len(by_genres) == 3
    assert len(by_years) == 2
    assert [item["id"] for item in both] == [eighties.pk]


def test_filter_by_movie_finds_the_entry_id(client, user, collection):
    entry = collection.factory(user=user)
    collection.factory(user=user)
    data = client.get(f"{collection.url}?movie_id={entry.movie.tmdb_id}").json()["data"]
    assert [item["id"] for item in data] == [entry.pk]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-added_at", ["c", "b", "a"]),
        ("added_at", ["a", "b", "c"]),
        ("title", ["a", "b", "c"]),
        ("-title", ["c", "b", "a"]),
        ("release_date", ["b", "a", "c"]),
        ("-release_date", ["a", "b", "c"]),
    ],
)
def test_ordering(client, user, collection, ordering, expected):
    # given: "c" has no release date, which sorts last both ways
    entries = {
        "a": collection.factory(user=user, movie=MovieFactory(title="apple", release_date="2001-01-01")),
        "b": collection.factory(user=user, movie=MovieFactory(title="Banana", release_date="1990-01-01")),
        "c": collection.factory(user=user, movie=MovieFactory(title="cherry", release_date=None)),
    }
    names = {entry.pk: name for name, entry in entries.items()}
    # when
    data = client.get(f"{collection.url}?ordering={ordering}").json()["data"]
    # then
    assert [names[item["id"]] for item in data] == expected


@pytest.mark.parametrize(
    "query",
    [
        "ordering=nope",
        "year_from=1990&year_to=1980",
        "genre=abc",
        "year_from=3000",
        "page_size=101",
        "q=" + "x" * 201,
    ],
)
def test_bad_list_parameters_are_400(client, collection, query):
    response = client.get(f"{collection.url}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"


def test_adult_titles_follow_the_owners_preference(client, user, collection, prefer):
    # given
    collection.factory(user=user, movie=MovieFactory(adult=True))
    plain = collection.factory(user=user)
    # when / then: no profile means not opted in
    assert [item["id"] for item in client.get(collection.url).json()["data"]] == [plain.pk]
    prefer(user, include_adult=True)
    assert len(client.get(collection.url).json()["data"]) == 2


def test_detail_patch_and_delete(client, user, collection):
    # given
    entry = collection.factory(user=user, notes="old")
    # when / then
    assert client.get(collection.detail(entry.pk)).json()["data"]["notes"] == "old"
    patched = client.patch(collection.detail(entry.pk), {"notes": "new"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["data"]["notes"] == "new"
    deleted = client.delete(collection.detail(entry.pk))
    assert deleted.status_code == 204
    assert deleted["Cache-Control"] == "private, no-store"
    assert client.get(collection.detail(entry.pk)).status_code == 404
    entry.refresh_from_db()
    assert entry.is_active is False
    assert entry.notes == "new"


def test_list_reflects_every_change_at_once(client, collection, use_movies):
    # given
    use_movies(SyncingMovies())
    movie = MovieFactory()

    def listed() -> list:
        return [(item["movie"]["id"], item["notes"]) for item in client.get(collection.url).json()["data"]]

    # when / then
    entry_id = client.post(collection.url, {"movie_id": movie.tmdb_id}).json()["data"]["id"]
    assert listed() == [(movie.tmdb_id, "")]
    client.patch(collection.detail(entry_id), {"notes": "edited"})
    assert listed() == [(movie.tmdb_id, "edited")]
    client.delete(collection.detail(entry_id))
    assert listed() == []
    client.post(collection.url, {"movie_id": movie.tmdb_id})
    assert listed() == [(movie.tmdb_id, "edited")]


def test_put_is_not_allowed(client, user, collection):
    entry = collection.factory(user=user)
    assert client.put(collection.detail(entry.pk), {"notes": "x"}, format="json").status_code == 405


# Privacy ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_entry_is_404(other_client, user, collection, method):
    # given
    entry = collection.factory(user=user, notes="private")
    # when
    response = getattr(other_client, method)(collection.detail(entry.pk), {"notes": "hijack"}, format="json")
    # then
    assert response.status_code == 404
    assert response.json()["errors"]["code"] == "not_found"
    assert response["Cache-Control"] == "private, no-store"
    entry.refresh_from_db()
    assert (entry.is_active, entry.notes) == (True, "private")


def test_another_users_entries_never_appear_in_my_list(other_client, user, collection):
    entry = collection.factory(user=user)
    for query in ("", f"?movie_id={entry.movie.tmdb_id}", f"?q={entry.movie.title}"):
        assert other_client.get(f"{collection.url}{query}").json()["data"] == []


def test_adding_a_movie_someone_else_has_creates_my_own_entry(other_client, user, collection, use_movies):
    # given
    use_movies(SyncingMovies())
    theirs = collection.factory(user=user)
    # when
    response = other_client.post(collection.url, {"movie_id": theirs.movie.tmdb_id}, format="json")
    # then
    assert response.status_code == 201
    assert response.json()["data"]["id"] != theirs.pk


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_401(api_client, collection, method):
    response = getattr(api_client, method)(collection.url, {"movie_id": 1}, format="json")
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "not_authenticated"


def test_anonymous_detail_is_401(api_client, collection):
    entry = collection.factory()
    assert api_client.get(collection.detail(entry.pk)).status_code == 401


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_unverified_users_cannot_write(client_for, collection, use_movies, method):
    # given
    use_movies(SyncingMovies())
    unverified = UserFactory(email_verified=False)
    entry = collection.factory(user=unverified)
    url = collection.url if method == "post" else collection.detail(entry.pk)
    # when
    response = getattr(client_for(unverified), method)(url, {"movie_id": 1, "notes": "x"}, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["errors"]["code"] == "email_not_verified"
    entry.refresh_from_db()
    assert (entry.is_active, entry.notes) == (True, "")


def test_unverified_users_can_read(client_for, collection):
    unverified = UserFactory(email_verified=False)
    collection.factory(user=unverified)
    assert len(client_for(unverified).get(collection.url).json()["data"]) == 1
