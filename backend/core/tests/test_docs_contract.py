"""docs/api.md against the code: its error table, its status promises and its curl examples hold."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.movies.tests.factories import MovieFactory
from core.error_codes import ErrorCode

API_DOC = Path(settings.BASE_DIR) / "docs" / "api.md"


def _section(title: str) -> str:
    text = API_DOC.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _table_codes() -> set[str]:
    rows = [line for line in _section("Errors").splitlines() if re.match(r"^\| \d{3}", line)]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[2])}


def test_the_error_table_lists_exactly_the_codes_the_server_sends():
    # given the codes in docs/api.md's error table
    documented = _table_codes()
    # then they are the enum's codes, no more and no fewer
    assert documented == {code.value for code in ErrorCode}


def test_the_auth_flow_names_the_code_wrong_credentials_get():
    flow = _section("Authentication (JWT)")
    assert f"401 {ErrorCode.INVALID_CREDENTIALS}" in flow
    assert "401 authentication_failed" not in flow


@pytest.mark.django_db
def test_head_carries_the_caching_headers_the_conditional_get_example_reads(api_client):
    # given a movie, and the docs' example taking the ETag from `curl -sI` (a HEAD request)
    MovieFactory(tmdb_id=550, title="Fight Club")
    assert "curl -sI" in _section("Examples")
    # when HEAD asks for it, then GET asks again with that ETag
    head = api_client.head("/api/v1/movies/550/")
    again = api_client.get("/api/v1/movies/550/", HTTP_IF_NONE_MATCH=head["ETag"])
    # then HEAD had the GET's headers and no body, and the ETag it gave is honoured
    assert head.status_code == 200 and head.content == b""
    assert head["Cache-Control"].startswith("public, max-age=")
    assert {"X-Cache", "Vary"} <= set(head.headers)
    assert again.status_code == 304
