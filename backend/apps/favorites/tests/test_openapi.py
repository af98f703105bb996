"""The favorites endpoints are in the OpenAPI schema: operation ids, pagination, error envelopes."""

import pytest
import yaml
from django.core.management import call_command

OPERATIONS = {
    ("/api/v1/favorites/", "get"): "favorites_list",
    ("/api/v1/favorites/", "post"): "favorites_add",
    ("/api/v1/favorites/{id}/", "get"): "favorites_retrieve",
    ("/api/v1/favorites/{id}/", "patch"): "favorites_update",
    ("/api/v1/favorites/{id}/", "delete"): "favorites_remove",
    ("/api/v1/favorites/stats/", "get"): "favorites_stats",
    ("/api/v1/favorites/export/", "get"): "favorites_export",
    ("/api/v1/watchlist/", "get"): "watchlist_list",
    ("/api/v1/watchlist/", "post"): "watchlist_add",
    ("/api/v1/watchlist/{id}/", "get"): "watchlist_retrieve",
    ("/api/v1/watchlist/{id}/", "patch"): "watchlist_update",
    ("/api/v1/watchlist/{id}/", "delete"): "watchlist_remove",
    ("/api/v1/recommendations/for-you/", "get"): "recommendations_for_you",
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def _ref_name(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(("route", "operation_id"), OPERATIONS.items())
def test_every_operation_is_documented_with_its_id(schema, route, operation_id):
    path, method = route
    operation = schema["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/favorites/", "/api/v1/watchlist/", "/api/v1/recommendations/for-you/"]
)
def test_lists_document_pagination(schema, path):
    operation = schema["paths"][path]["get"]
    paginated = schema["components"]["schemas"][_ref_name(operation["responses"]["200"])]
    meta = schema["components"]["schemas"][paginated["properties"]["meta"]["$ref"].rsplit("/", 1)[-1]]
    assert meta["properties"]["pagination"]["$ref"].endswith("/Pagination")
    assert "pagination" in meta["required"]
    assert {"page", "page_size"} <= {parameter["name"] for parameter in operation["parameters"]}


def test_list_filters_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/favorites/"]["get"]["parameters"]}
    assert {"q", "genre", "min_rating", "max_rating", "year_from", "year_to", "ordering"} <= set(parameters)
    assert "-rating" in parameters["ordering"]["schema"]["enum"]


def test_add_documents_201_and_200_and_503(schema):
    responses = schema["paths"]["/api/v1/favorites/"]["post"]["responses"]
    assert {"200", "201", "503"} <= set(responses)


def test_export_documents_both_formats(schema):
    content = schema["paths"]["/api/v1/favorites/export/"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}
