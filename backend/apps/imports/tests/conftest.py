"""Fixtures for the import tests: a TMDb double holding the sample files' films, uploads, running."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.favorites.tests.conftest import (  # noqa: F401 - fixtures shared with the favorites tests
    client,
    client_for,
    other_client,
    other_user,
    user,
)

SAMPLES = Path(__file__).parent / "samples"
URL = "/api/v1/imports/"

# The films the sample exports mention, as TMDb has them (ids and dates as on TMDb). Two films
# share "The Thing"; "A Film Nobody Has" is missing; Whiplash is 2014 on TMDb, 2013 in the diary.
FILMS = [
    (348, "Alien", "1979-05-25", "tt0078748", {}),
    (1091, "The Thing", "1982-06-25", "tt0084787", {}),
    (60935, "The Thing", "2011-10-12", "tt0905372", {}),
    (146, "Crouching Tiger, Hidden Dragon", "2000-07-06", "tt0190332", {"original_title": "臥虎藏龍"}),
    (289732, "Crouching Tiger, Hidden Dragon: Sword of Destiny", "2016-02-19", "tt2652118", {}),
    (244786, "Whiplash", "2014-10-10", "tt2582802", {}),
    (194, "Amélie", "2001-04-25", "tt0211915", {"original_title": "Le Fabuleux Destin d'Amélie Poulain"}),
    (
        935,
        "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb",
        "1964-01-29",
        "tt0057012",
        {},
    ),
    (512345, '"Ask Me Anything": The Movie', "2018-04-01", "tt7654321", {}),
    (857, "Saving Private Ryan", "1998-07-24", "tt0120815", {}),
]


@pytest.fixture
def films(tmdb_double):
    for tmdb_id, title, released, imdb_id, extra in FILMS:
        tmdb_double.add_movie(tmdb_id, title=title, release_date=released, imdb_id=imdb_id, **extra)
    return tmdb_double


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def letterboxd_zip(files: dict[str, bytes] | None = None) -> bytes:
    """A zip laid out like Letterboxd's export (its CSVs at the top, plus folders we ignore)."""
    files = (
        files if files is not None else {p.name: p.read_bytes() for p in (SAMPLES / "letterboxd").iterdir()}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("profile.csv", b"Date Joined,Username\n2019-01-01,cinephile\n")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def start_import(django_capture_on_commit_callbacks):
    """POSTs an upload; the (eager) Celery task runs when the request's transaction commits."""

    def post(api_client, source: str, name: str, content: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(URL, {"source": source, "file": upload(name, content)}, format="multipart")

    return post
