"""The watched-history endpoints are in the OpenAPI schema with their operation ids."""

import pytest

from apps.favorites.tests.test_openapi import schema  # noqa: F401 - the generated schema fixture

OPERATIONS = {
    ("/api/v1/watched/", "get"): "watched_list",
    ("/api/v1/watched/", "post"): "watched_add",
    ("/api/v1/watched/{id}/", "get"): "watched_retrieve",
    ("/api/v1/watched/{id}/", "patch"): "watched_update",
    ("/api/v1/watched/{id}/", "delete"): "watched_remove",
    ("/api/v1/watched/stats/", "get"): "watched_stats",
}


@pytest.mark.parametrize(("route", "operation_id"), OPERATIONS.items())
def test_every_operation_is_documented_with_its_id(schema, route, operation_id):  # noqa: F811
    path, method = route
    assert schema["paths"][path][method]["operationId"] == operation_id
