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
    meta = schema["components"]["schemas"][paginated["properties"]["meta"]["$ref"].rsplit("/", 1)[-1]]
    assert meta["properties"]["pagination"]["$ref"].endswith("/Pagination")


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


def test_only_the_import_upload_promises_a_conflict(schema):
    # given every documented response of every operation
    statuses = {
        (path, method, status)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    # then the one 409 is the import upload's (one import per user at a time): a duplicate favorite
    # is a 200, and no other code path raises a conflict
    assert [entry for entry in statuses if entry[2] == "409"] == [("/api/v1/imports/", "post", "409")]


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_nullable_always_comes_with_a_type(schema):
    # ajv (strict) refuses `nullable` without `type`; so do we
    assert [node for node in _nodes(schema) if node.get("nullable") and "type" not in node] == []


def test_no_oneof_whose_members_could_both_match(schema):
    # a oneOf is unambiguous here only when its members have different types
    for node in _nodes(schema):
        if "oneOf" in node:
            types = [member.get("type") for member in node["oneOf"]]
            assert None not in types and len(set(types)) == len(types), node


def test_error_codes_are_the_enum_of_core_error_codes(schema):
    from core.error_codes import ErrorCode

    assert schema["components"]["schemas"]["ErrorCode"]["enum"] == [code.value for code in ErrorCode]


def test_success_is_a_literal_each_envelope_can_be_told_apart_by(schema):
    schemas = schema["components"]["schemas"]
    assert schemas["ErrorEnvelope"]["properties"]["success"]["enum"] == [False]
    assert schemas["PaginatedMovieListList"]["properties"]["success"]["enum"] == [True]
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]["200"]["content"]["application/json"]
    assert login["schema"]["properties"]["success"]["enum"] == [True]


def test_meta_enums_match_the_code_that_fills_them(schema):
    from apps.favorites.recommendations import Strategy
    from apps.movies.services.audience import SOURCE_LOCAL, SOURCE_TMDB

    meta = schema["components"]["schemas"]["Meta"]["properties"]
    strategies = {value for name, value in vars(Strategy).items() if name.isupper()}
    assert set(meta["strategy"]["enum"]) == strategies
    assert set(meta["source"]["enum"]) == {SOURCE_LOCAL, SOURCE_TMDB}


def test_movie_types_require_every_documented_property_including_the_reader_flags(schema):
    for name in ("MovieList", "MovieDetail"):
        component = schema["components"]["schemas"][name]
        assert set(component["properties"]) == set(component["required"])
        assert {"is_favorite", "in_watchlist", "watched"} <= set(component["required"])
        assert component["properties"]["watched"]["nullable"] is True


def test_the_export_offers_one_media_type_per_operation(schema):
    for path, media in (("json", "application/json"), ("csv", "text/csv")):
        responses = schema["paths"][f"/api/v1/favorites/export/{path}/"]["get"]["responses"]
        assert list(responses["200"]["content"]) == [media]


def test_docs_openapi_yaml_is_the_generated_schema(schema):
    # docs/openapi.yaml is committed for readers and the TypeScript client: `make schema` keeps it current
    from django.conf import settings

    committed = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())
    assert committed == schema, "docs/openapi.yaml is stale: run `make schema` (then `make client`)"


def test_bodies_that_refuse_unknown_fields_say_so(schema):
    schemas = schema["components"]["schemas"]
    for name in ("FavoriteAddInputRequest", "WatchlistAddInputRequest", "RegisterInputRequest"):
        assert schemas[name]["additionalProperties"] is False, name
