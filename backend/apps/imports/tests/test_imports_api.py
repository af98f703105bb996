"""POST /api/v1/imports/ end to end against the TMDb double: each format, matching, progress."""

import datetime

import pytest

from apps.favorites.models import Favorite, WatchlistItem
from apps.history.models import Viewing
from apps.imports.models import Import

from .conftest import URL, letterboxd_zip, sample

pytestmark = pytest.mark.django_db


def viewings_of(user) -> dict[tuple[int, str], dict]:
    return {
        (v.movie.tmdb_id, v.watched_on.isoformat()): {
            "rating": v.rating,
            "rewatch": v.rewatch,
            "review": v.review,
        }
        for v in Viewing.objects.filter(user=user).select_related("movie")
    }


def progress(client, import_id: int) -> dict:
    response = client.get(f"{URL}{import_id}/")
    assert response.status_code == 200
    return response.json()["data"]


def test_letterboxd_export_is_imported_with_its_quirks(client, user, films, start_import):
    # when
    response = start_import(client, "letterboxd", "letterboxd-cinephile-2025-02-02.zip", letterboxd_zip())
    # then
    assert response.status_code == 202
    data = progress(client, response.json()["data"]["id"])
    assert data["import"]["status"] == "done"
    assert viewings_of(user) == {
        (348, "2024-10-30"): {
            "rating": 9,
            "rewatch": False,
            "review": 'In space, no one can hear you scream. "Perfect organism," indeed.',
        },
        (1091, "2024-11-01"): {"rating": 10, "rewatch": True, "review": ""},
        (60935, "2024-11-03"): {"rating": 4, "rewatch": False, "review": ""},
        (146, "2024-11-30"): {"rating": 8, "rewatch": False, "review": ""},
        (244786, "2024-12-05"): {"rating": 7, "rewatch": False, "review": ""},
        (194, "2023-05-01"): {"rating": 8, "rewatch": False, "review": ""},
        (512345, "2022-08-09"): {"rating": 1, "rewatch": False, "review": ""},
        (935, "2022-02-02"): {"rating": None, "rewatch": False, "review": ""},
    }
    assert list(WatchlistItem.objects.filter(user=user).values_list("movie__tmdb_id", flat=True)) == [289732]
    assert data["counts"] == {
        "total": 10,
        "pending": 0,
        "applied": 9,
        "unchanged": 0,
        "review": 0,
        "skipped": 0,
        "failed": 1,
    }
    assert data["failures"] == [
        {
            "position": 6,
            "ref": "diary.csv:7",
            "title": "A Film Nobody Has",
            "year": 2019,
            "reason": "No match on TMDb.",
        }
    ]
    assert data["match_rate"] == 0.9
    assert data["matched_by"] == {"title_year": 8, "title_year_1": 1}


def test_importing_the_same_file_twice_changes_nothing(client, user, films, start_import):
    # given
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    before = viewings_of(user)
    updated = set(Viewing.objects.values_list("id", "updated_at"))
    # when
    second = start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    # then
    data = progress(client, second.json()["data"]["id"])
    assert viewings_of(user) == before
    assert set(Viewing.objects.values_list("id", "updated_at")) == updated
    assert data["counts"]["applied"] == 0
    assert data["counts"]["unchanged"] == 9


def test_a_newer_local_edit_is_never_overwritten(client, user, films, start_import):
    # given: imported, then re-rated here
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    alien = Viewing.objects.get(user=user, movie__tmdb_id=348)
    client.patch(f"/api/v1/watched/{alien.pk}/", {"rating": 6}, format="json")
    # when
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    # then
    alien.refresh_from_db()
    assert alien.rating == 6


def test_a_viewing_removed_here_is_not_revived(client, user, films, start_import):
    # given
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    alien = Viewing.objects.get(user=user, movie__tmdb_id=348)
    client.delete(f"/api/v1/watched/{alien.pk}/")
    # when
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    # then
    assert not Viewing.objects.get(pk=alien.pk).is_active


def test_imdb_ratings_match_by_tt_id_through_find(client, user, films, start_import):
    # when
    response = start_import(client, "imdb", "ratings.csv", sample("imdb_ratings.csv"))
    # then
    data = progress(client, response.json()["data"]["id"])
    assert viewings_of(user) == {
        (348, "2024-10-30"): {"rating": 9, "rewatch": False, "review": ""},
        (1091, "2024-11-01"): {"rating": 10, "rewatch": False, "review": ""},
    }
    assert films.count("find/tt0078748") == 1
    assert [(f["title"], f["reason"]) for f in data["failures"]] == [
        ("Breaking Bad", "Not a movie (TV Series)."),
        ("Lost Festival Short", "No match on TMDb."),
    ]
    assert data["matched_by"] == {"imdb_id": 2}


def test_imdb_watchlist(client, user, films, start_import):
    # when
    start_import(client, "imdb", "watchlist.csv", sample("imdb_watchlist.csv"))
    # then
    item = WatchlistItem.objects.get(user=user)
    assert (item.movie.tmdb_id, item.added_at.date()) == (857, datetime.date(2025, 3, 1))


def test_trakt_json_files_in_a_zip(client, user, films, start_import):
    # given
    content = letterboxd_zip(
        {
            "watched-movies.json": sample("trakt_watched_movies.json"),
            "ratings-movies.json": sample("trakt_ratings_movies.json"),
            "watchlist-movies.json": sample("trakt_watchlist_movies.json"),
        }
    )
    # when
    response = start_import(client, "trakt", "trakt-export.zip", content)
    # then
    data = progress(client, response.json()["data"]["id"])
    assert viewings_of(user) == {
        (1091, "2024-11-01"): {"rating": 10, "rewatch": False, "review": ""},
        (348, "2024-10-30"): {"rating": None, "rewatch": False, "review": ""},
        (194, "2023-05-01"): {"rating": 8, "rewatch": False, "review": ""},
    }
    assert list(WatchlistItem.objects.filter(user=user).values_list("movie__tmdb_id", flat=True)) == [857]
    assert data["matched_by"] == {"tmdb_id": 3, "imdb_id": 1}


def test_generic_csv_and_the_review_queue(client, user, films, start_import):
    # when
    response = start_import(client, "csv", "mine.csv", sample("generic.csv"))
    import_id = response.json()["data"]["id"]
    # then: "The Thing" without a year is ambiguous (the 1982 film and its 2011 remake)
    data = progress(client, import_id)
    assert data["counts"]["review"] == 1
    queue = client.get(f"{URL}{import_id}/review/").json()["data"]
    assert [(row["title"], sorted(c["id"] for c in row["candidates"])) for row in queue] == [
        ("The Thing", [1091, 60935])
    ]
    assert Favorite.objects.get(user=user).movie.tmdb_id == 194
    assert WatchlistItem.objects.get(user=user).movie.tmdb_id == 857
    # when: the user confirms the remake
    decided = client.post(
        f"{URL}{import_id}/review/{queue[0]['position']}/", {"tmdb_id": 60935}, format="json"
    )
    # then
    assert decided.status_code == 200
    assert Viewing.objects.get(user=user, watched_on=datetime.date(2024, 11, 5)).movie.tmdb_id == 60935
    assert client.get(f"{URL}{import_id}/review/").json()["data"] == []


def test_review_accepts_only_a_candidate_or_skip(client, user, films, start_import):
    # given
    import_id = start_import(client, "csv", "mine.csv", sample("generic.csv")).json()["data"]["id"]
    position = client.get(f"{URL}{import_id}/review/").json()["data"][0]["position"]
    # when
    wrong = client.post(f"{URL}{import_id}/review/{position}/", {"tmdb_id": 348}, format="json")
    skipped = client.post(f"{URL}{import_id}/review/{position}/", {"skip": True}, format="json")
    # then
    assert wrong.status_code == 400
    assert skipped.status_code == 200
    assert progress(client, import_id)["counts"]["skipped"] == 1


def test_another_users_import_is_404(client, other_client, films, start_import):
    # given
    import_id = start_import(client, "csv", "mine.csv", sample("generic.csv")).json()["data"]["id"]
    # when / then
    assert other_client.get(f"{URL}{import_id}/").status_code == 404
    assert other_client.get(f"{URL}{import_id}/review/").status_code == 404
    assert other_client.post(f"{URL}{import_id}/review/1/", {"skip": True}, format="json").status_code == 404
    assert other_client.get(URL).json()["data"] == []


def test_an_import_writes_only_its_users_data(client, user, other_user, films, start_import):
    # when
    start_import(client, "letterboxd", "export.zip", letterboxd_zip())
    # then
    assert not Viewing.objects.filter(user=other_user).exists()
    assert Viewing.objects.filter(user=user).count() == 8


def test_a_second_import_while_one_is_queued_is_409(client, user):
    # given: one queued (no worker has taken it)
    Import.objects.create(user=user, source="csv")
    # when
    response = client.post(
        URL,
        {"source": "csv", "file": _file("a.csv", b"title,year\nAlien,1979\n")},
        format="multipart",
    )
    # then
    assert response.status_code == 409
    assert response.json()["errors"]["code"] == "conflict"


def test_tmdb_down_fails_rows_with_a_reason_and_retry_finishes_them(client, user, films, start_import):
    # given
    films.fail("search/movie", status=503, times=None)
    # when
    response = start_import(client, "csv", "mine.csv", b"title,year,watched_on\nAlien,1979,2024-10-30\n")
    import_id = response.json()["data"]["id"]
    # then
    assert (
        progress(client, import_id)["failures"][0]["reason"]
        == "TMDb was unavailable: retry the import later."
    )
    # when: TMDb is back and staff retry
    films.clear_faults()
    from apps.imports.services import retry

    with _commit_callbacks():
        assert retry(import_id)
    # then
    assert progress(client, import_id)["counts"]["applied"] == 1


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _commit_callbacks():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
