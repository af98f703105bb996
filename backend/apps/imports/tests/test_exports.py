"""GET /api/v1/watched/export/: Letterboxd's CSV and the full JSON, and the JSON's round trip."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from apps.favorites.models import Favorite, WatchlistItem
from apps.favorites.tests.factories import FavoriteFactory, UserFactory, WatchlistItemFactory
from apps.history.models import Viewing
from apps.history.tests.factories import ViewingFactory
from apps.movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/watched/export/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_letterboxd_csv_has_letterboxds_import_columns(client, user):
    # given
    movie = MovieFactory(
        title='Crouching Tiger, "Hidden" Dragon', release_date=datetime.date(2000, 7, 6), imdb_id="tt0190332"
    )
    ViewingFactory(
        user=user, movie=movie, watched_on=datetime.date(2024, 11, 30), rating=8, review="=HYPERLINK()"
    )
    # when
    response = client.get(URL, {"format": "letterboxd"})
    # then
    rows = list(csv.reader(io.StringIO(body(response).decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows == [
        ["Title", "Year", "imdbID", "tmdbID", "WatchedDate", "Rating10", "Rewatch", "Review"],
        [
            'Crouching Tiger, "Hidden" Dragon',
            "2000",
            "tt0190332",
            str(movie.tmdb_id),
            "2024-11-30",
            "8",
            "false",
            "'=HYPERLINK()",
        ],
    ]


def test_json_export_holds_favorites_watchlist_and_history(client, user, other_user):
    # given
    FavoriteFactory(user=user, user_rating=9, notes="the best")
    WatchlistItemFactory(user=user)
    ViewingFactory(user=user, rating=7, rewatch=True, review="again")
    ViewingFactory(user=other_user)
    # when
    data = json.loads(body(client.get(URL)))["data"]
    # then
    assert (data["format"], data["version"]) == ("movie-nexus", 1)
    assert [len(data[key]) for key in ("favorites", "watchlist", "history")] == [1, 1, 1]
    assert (data["history"][0]["rating"], data["history"][0]["rewatch"], data["history"][0]["review"]) == (
        7,
        True,
        "again",
    )


def snapshot(user) -> dict:
    """Everything the user keeps, without ids or write timestamps."""
    return {
        "favorites": sorted(
            Favorite.objects.filter(user=user, is_active=True).values_list(
                "movie__tmdb_id", "user_rating", "notes", "added_at"
            )
        ),
        "watchlist": sorted(
            WatchlistItem.objects.filter(user=user, is_active=True).values_list(
                "movie__tmdb_id", "notes", "added_at"
            )
        ),
        "history": sorted(
            Viewing.objects.filter(user=user, is_active=True).values_list(
                "movie__tmdb_id", "watched_on", "rating", "rewatch", "review"
            )
        ),
    }


def test_export_then_import_into_a_fresh_account_gives_equal_data(client, user, client_for, start_import):
    # given: a full account (rated and unrated, notes, rewatches, one movie twice)
    movies = MovieFactory.create_batch(4)
    earlier = timezone.now() - datetime.timedelta(days=400)
    FavoriteFactory(user=user, movie=movies[0], user_rating=10, notes='a "classic", truly', added_at=earlier)
    FavoriteFactory(user=user, movie=movies[1], user_rating=None)
    WatchlistItemFactory(user=user, movie=movies[2], notes="with friends")
    ViewingFactory(
        user=user, movie=movies[0], watched_on=datetime.date(2019, 1, 1), rating=9, review="first time"
    )
    ViewingFactory(user=user, movie=movies[0], watched_on=datetime.date(2024, 6, 1), rating=10, rewatch=True)
    ViewingFactory(user=user, movie=movies[3], watched_on=datetime.date(2023, 3, 3))
    exported = body(client.get(URL))
    fresh = UserFactory()
    fresh_client = client_for(fresh)
    # when
    response = start_import(fresh_client, "movienexus", "movie-nexus.json", exported)
    # then
    assert response.status_code == 202
    progress = fresh_client.get(f"/api/v1/imports/{response.json()['data']['id']}/").json()["data"]
    assert progress["counts"]["applied"] == 6
    assert snapshot(fresh) == snapshot(user)
    assert body(fresh_client.get(URL)).split(b'"meta"')[0] == exported.split(b'"meta"')[0]


def test_exports_are_private(api_client, client):
    assert api_client.get(URL).status_code == 401
    assert client.get(URL, {"format": "xml"}).status_code == 400
