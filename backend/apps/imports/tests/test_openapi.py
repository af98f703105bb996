"""The imports and export endpoints are in the OpenAPI schema with their operation ids."""

import pytest

from apps.favorites.tests.test_openapi import schema  # noqa: F401 - the generated schema fixture

OPERATIONS = {
    ("/api/v1/imports/", "get"): "imports_list",
    ("/api/v1/imports/", "post"): "imports_start",
    ("/api/v1/imports/{id}/", "get"): "imports_progress",
    ("/api/v1/imports/{id}/review/", "get"): "imports_review_list",
    ("/api/v1/imports/{id}/review/{position}/", "post"): "imports_review_decide",
    ("/api/v1/watched/export/", "get"): "watched_export",
}


@pytest.mark.parametrize(("route", "operation_id"), OPERATIONS.items())
def test_every_operation_is_documented_with_its_id(schema, route, operation_id):  # noqa: F811
    path, method = route
    assert schema["paths"][path][method]["operationId"] == operation_id


def test_the_upload_is_multipart(schema):  # noqa: F811
    body = schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
