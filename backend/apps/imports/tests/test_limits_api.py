"""Limits at the API: body size per path, zip bombs, throttle, validation, no 500s."""

import io
import zipfile

import pytest

from .conftest import URL, upload

pytestmark = pytest.mark.django_db


def test_an_upload_larger_than_the_general_body_limit_is_accepted_on_the_imports_path(
    client, settings, start_import
):
    # given: a CSV of 2 MB (the general JSON body limit is 1 MiB)
    content = b"title,year\n" + b"".join(f"Film number {n:07d},2000\n".encode() for n in range(80_000))
    settings.IMPORT_MAX_ROWS = 10
    # when
    response = start_import(client, "csv", "big.csv", content)
    # then: it reached the parser, whose entry limit answered
    assert response.status_code == 413
    assert "entries" in response.json()["message"]


def test_a_zip_bomb_is_a_clear_413(client):
    # given
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("diary.csv", b"0" * 200_000_000)
    # when
    response = client.post(
        URL, {"source": "letterboxd", "file": upload("bomb.zip", buffer.getvalue())}, format="multipart"
    )
    # then
    assert response.status_code == 413
    assert response.json()["errors"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"source": "netflix"}, "source"), ({"source": "csv"}, "file")],
)
def test_bad_fields_are_400(client, payload, field):
    if field != "file":
        payload = {**payload, "file": upload("a.csv", b"title\nAlien\n")}
    response = client.post(URL, payload, format="multipart")
    assert response.status_code == 400
    assert field in response.json()["errors"]["fields"]


def test_json_instead_of_multipart_is_415(client):
    assert client.post(URL, {"source": "csv"}, format="json").status_code == 415


def test_uploads_are_throttled_per_user(client, settings, start_import):
    # given
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "imports": "2/hour"},
    }
    # when: bad files, so nothing stays active between them
    statuses = [
        client.post(
            URL, {"source": "csv", "file": upload("a.csv", b"nope\n")}, format="multipart"
        ).status_code
        for _ in range(3)
    ]
    # then
    assert statuses == [400, 400, 429]
