"""Every response carries X-Request-ID, taken from the request when it is sane, and logs carry it."""

import logging

import pytest

from core.logging import RequestIDFilter
from core.request_context import reset_request_id, set_request_id

pytestmark = pytest.mark.django_db


def test_request_id_is_generated(api_client):
    response = api_client.get("/health/live")
    assert len(response["X-Request-ID"]) == 32


def test_request_id_is_taken_from_the_request(api_client):
    response = api_client.get("/api/v1/movies/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_hostile_request_id_is_replaced(api_client):
    response = api_client.get("/health/live", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x" + "y" * 300)
    assert response["X-Request-ID"] != "bad id"
    assert len(response["X-Request-ID"]) == 32


def test_request_id_is_on_error_responses(api_client):
    response = api_client.get("/api/v1/genres/999999999/movies/", HTTP_X_REQUEST_ID="trace-9")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-9"


def test_log_records_carry_the_request_id():
    # given
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = set_request_id("req-42")
    # when
    try:
        RequestIDFilter().filter(record)
    finally:
        reset_request_id(token)
    # then
    assert record.request_id == "req-42"


def test_json_formatter_emits_one_object_per_line():
    import json

    from core.logging import JSONFormatter

    formatter = JSONFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
    record = logging.LogRecord("movies", logging.WARNING, __file__, 1, "synced %s", ("x",), None)
    record.request_id = "r-1"
    line = formatter.format(record)
    assert "\n" not in line
    assert json.loads(line)["request_id"] == "r-1"
    assert json.loads(line)["message"] == "synced x"
