"""The envelope holds for successes and every kind of error, including Django's own."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

ENVELOPE_KEYS = {"success", "message", "data", "errors", "meta"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["success"] is False
    assert body["data"] is None
    assert body["errors"]["code"] == code
    assert body["message"]
    return body


def test_success_envelope_shape(api_client):
    # when
    response = api_client.post("/api/v1/_test/echo/", {"a": 1}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "OK",
        "data": {"received": {"a": 1}},
        "errors": None,
        "meta": {},
    }


def test_unknown_api_url_is_a_json_404(api_client):
    assert_error(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_method_not_allowed_is_enveloped(api_client):
    body = assert_error(api_client.delete("/api/v1/movies/"), 405, "method_not_allowed")
    assert "DELETE" in body["message"]


def test_unhandled_exception_in_api_view_is_a_json_500(api_client):
    client = api_client
    client.raise_request_exception = False
    body = assert_error(client.get("/api/v1/_test/boom/"), 500, "server_error")
    assert "boom" not in body["message"]


def test_unhandled_exception_in_plain_django_view_is_a_json_500(client):
    client.raise_request_exception = False
    assert_error(client.get("/api/v1/_test/plain-boom/"), 500, "server_error")


def test_malformed_json_is_a_parse_error(api_client):
    response = api_client.generic(
        "POST", "/api/v1/_test/echo/", data=b'{"a": ', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_invalid_utf8_is_a_parse_error(api_client):
    response = api_client.generic(
        "POST", "/api/v1/_test/echo/", data=b'{"a": "\xff\xfe"}', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_wrong_content_type_is_415(api_client):
    response = api_client.generic("POST", "/api/v1/_test/echo/", data=b"a=1", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_oversized_body_is_413_before_parsing(api_client, settings):
    big = b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = api_client.generic("POST", "/api/v1/_test/echo/", data=big, content_type="application/json")
    assert_error(response, 413, "payload_too_large")


def test_throttled_request_carries_retry_after(api_client):
    assert api_client.get("/api/v1/_test/throttled/").status_code == 200
    response = api_client.get("/api/v1/_test/throttled/")
    body = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
    assert body["errors"]["retry_after"] == int(response["Retry-After"])


def test_upstream_unavailable_is_503_with_retry_after(api_client):
    response = api_client.get("/api/v1/_test/upstream/")
    body = assert_error(response, 503, "upstream_unavailable")
    assert response["Retry-After"] == "42"
    assert body["errors"]["retry_after"] == 42


def test_validation_errors_name_fields(api_client):
    body = assert_error(api_client.get("/api/v1/movies/?page=0&page_size=1000"), 400, "validation_error")
    assert set(body["errors"]["fields"]) == {"page", "page_size"}


def test_non_api_paths_keep_django_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
