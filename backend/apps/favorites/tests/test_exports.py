"""GET favorites/export/: my favorites and watchlist, streamed as CSV or JSON."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from apps.movies.tests.factories import MovieFactory

from .factories import FavoriteFactory, WatchlistItemFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/favorites/export/"


@pytest.fixture
def collection(user, other_user):
    favorite = FavoriteFactory(
        user=user,
        movie=MovieFactory(tmdb_id=603, title="The Matrix", release_date="1999-03-31"),
        user_rating=10,
        notes='Red pill, "obviously"',
    )
    watchlist_item = WatchlistItemFactory(
        user=user, movie=MovieFactory(tmdb_id=27205, title="Inception", release_date=None), notes="next"
    )
    FavoriteFactory(user=user, is_active=False, movie=MovieFactory(title="Removed"))
    FavoriteFactory(user=other_user, movie=MovieFactory(title="Not mine"))
    WatchlistItemFactory(user=other_user, movie=MovieFactory(title="Not mine either"))
    return favorite, watchlist_item


def _content(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_export(client, collection):
    # given
    favorite, _ = collection
    # when
    response = client.get(f"{URL}?format=csv")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    assert 'attachment; filename="movie-nexus-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_content(response))))
    assert [
        (row["list"], row["tmdb_id"], row["title"], row["year"], row["rating"], row["notes"]) for row in rows
    ] == [
        ("favorites", "603", "The Matrix", "1999", "10", 'Red pill, "obviously"'),
        ("watchlist", "27205", "Inception", "", "", "next"),
    ]
    assert rows[0]["added_at"] == favorite.added_at.isoformat()


def test_json_export_is_the_envelope(client, collection):
    # when
    response = client.get(f"{URL}?format=json")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(_content(response))
    assert body["success"] is True and body["errors"] is None
    assert body["meta"]["format"] == "json" and "exported_at" in body["meta"]
    favorites, watchlist = body["data"]["favorites"], body["data"]["watchlist"]
    assert [(item["tmdb_id"], item["title"], item["year"], item["rating"]) for item in favorites] == [
        (603, "The Matrix", 1999, 10)
    ]
    assert [(item["tmdb_id"], item["year"], item["notes"]) for item in watchlist] == [(27205, None, "next")]
    assert "rating" not in watchlist[0]


def test_json_is_the_default_format(client, collection):
    assert json.loads(_content(client.get(URL)))["data"]["favorites"][0]["tmdb_id"] == 603


def test_empty_json_export_is_valid(client):
    body = json.loads(_content(client.get(URL)))
    assert body["data"] == {"favorites": [], "watchlist": []}


def test_csv_cells_cannot_become_spreadsheet_formulas(client, user):
    FavoriteFactory(user=user, notes='=HYPERLINK("http://evil")', movie=MovieFactory(title="@SUM(A1)"))
    rows = list(csv.DictReader(io.StringIO(_content(client.get(f"{URL}?format=csv")))))
    assert rows[0]["notes"].startswith("'=")
    assert rows[0]["title"].startswith("'@")


def test_export_is_private_to_the_owner(other_client, collection):
    body = json.loads(_content(other_client.get(URL)))
    titles = [item["title"] for items in body["data"].values() for item in items]
    assert titles == ["Not mine", "Not mine either"]


def test_unknown_format_is_400_in_the_envelope(client):
    response = client.get(f"{URL}?format=xml")
    assert response.status_code == 400
    assert response.json()["errors"]["fields"] == {"format": ['"xml" is not a valid choice.']}


def test_anonymous_export_is_401(api_client):
    response = api_client.get(f"{URL}?format=csv")
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "not_authenticated"


def test_export_runs_constant_queries(client, user, django_assert_max_num_queries):
    for _ in range(30):
        FavoriteFactory(user=user)
        WatchlistItemFactory(user=user)
    with django_assert_max_num_queries(2):
        rows = _content(client.get(f"{URL}?format=csv")).splitlines()
    assert len(rows) == 61


@pytest.mark.parametrize(
    ("path", "media_type", "starts"),
    [("json/", "application/json", '{"success": true'), ("csv/", "text/csv", "list,")],
)
def test_one_format_per_path_for_typed_clients(client, collection, path, media_type, starts):
    # when
    response = client.get(f"{URL}{path}")
    # then the same export, with one media type the schema can name alone
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)
    assert _content(response).startswith(starts)
