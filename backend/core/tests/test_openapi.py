"""The OpenAPI schema generates without warnings and documents the envelope and JWT auth."""

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_schema_documents_bearer_jwt(schema):
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" and s.get("bearerFormat") == "JWT" for s in schemes.values())


def test_success_responses_are_enveloped(schema):
    detail = schema["paths"]["/api/v1/movies/{tmdb_id}/"]["get"]["responses"]["200"]
    body = detail["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"success", "message", "data", "errors", "meta"}
    assert body["properties"]["data"]["$ref"].endswith("/MovieDetail")


def test_lists_document_pagination_meta(schema):
    ref = schema["paths"]["/api/v1/movies/"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]["$ref"]
    paginated = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert paginated["properties"]["data"]["type"] == "array"
    assert paginated["properties"]["meta"]["properties"]["pagination"]["$ref"].endswith("/Pagination")


def test_errors_are_documented_with_the_error_envelope(schema):
    responses = schema["paths"]["/api/v1/movies/{tmdb_id}/"]["get"]["responses"]
    for code in ("400", "404", "429", "503"):
        assert responses[code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorEnvelope")


def test_schema_view_serves_the_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Movie Nexus API"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_render_with_local_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


def test_no_operation_promises_a_conflict_nothing_raises(schema):
    # given every documented response of every operation
    statuses = {
        (path, method, status)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    # then none is a 409: a duplicate favorite is a 200, and no code path raises a conflict
    assert [entry for entry in statuses if entry[2] == "409"] == []
