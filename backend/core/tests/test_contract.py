"""The response oracle itself: it catches what the schema does not describe."""

import json

import pytest

from core.tests.contract import ContractViolation, to_json_schema

DETAIL = "/api/v1/movies/550/"


def body(**overrides) -> bytes:
    envelope = {"success": False, "message": "Not found.", "data": None, "meta": {}}
    envelope["errors"] = {"code": "not_found", "detail": "Not found."}
    return json.dumps(envelope | overrides).encode()


def check(contract, *, status=404, path=DETAIL, payload=None, content_type="application/json"):
    contract.check(
        method="GET", path=path, query="", status=status, content_type=content_type, body=payload or body()
    )


def test_a_documented_error_passes(openapi_contract):
    check(openapi_contract)


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"status": 418}, "status not documented"),
        ({"content_type": "text/html"}, "not documented"),
        ({"payload": body(success=True)}, "does not match"),
        ({"payload": body(errors={"code": "made_up", "detail": "x"})}, "does not match"),
        ({"payload": body(meta={"undeclared": 1})}, "does not match"),
        ({"payload": b"<html>"}, "not JSON"),
        ({"path": "/api/v1/nowhere/", "status": 200}, "undocumented path"),
    ],
)
def test_what_the_schema_does_not_describe_is_caught(openapi_contract, kwargs, complaint):
    with pytest.raises(ContractViolation, match=complaint):
        check(openapi_contract, **kwargs)


def test_formats_are_enforced(openapi_contract):
    # given a pagination block whose `next` is not a URI
    page = {"page": 1, "page_size": 1, "total_pages": 1, "total_results": 1, "previous": None}
    envelope = {"success": True, "message": "OK", "data": [], "errors": None}
    payload = json.dumps(envelope | {"meta": {"pagination": page | {"next": "not a uri"}}}).encode()
    # when / then
    with pytest.raises(ContractViolation, match="not a uri"):
        check(openapi_contract, status=200, path="/api/v1/favorites/", payload=payload)


def test_nullable_becomes_a_null_type_and_enum_member():
    assert to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
