"""The API surface as the OpenAPI schema documents it: operations, their parameters and security."""

import re
from dataclasses import dataclass
from functools import cache

from drf_spectacular.generators import SchemaGenerator

BODY_METHODS = {"post", "put", "patch"}
_PLACEHOLDER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # templated, e.g. /api/v1/movies/{tmdb_id}/
    operation_id: str
    tags: tuple[str, ...]
    query: tuple[str, ...]
    has_body: bool
    requires_auth: bool
    # The request body's media types (e.g. only multipart/form-data for an upload).
    body_types: tuple[str, ...] = ()
    # A well-formed sample per path parameter (by its schema format), so routes resolve.
    path_samples: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, values: dict | None = None) -> str:
        """The path with placeholders filled from `values` (default: a well-formed sample, e.g. 1)."""
        values = {**dict(self.path_samples), **(values or {})}
        return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), 1)), self.path)


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for path, item in schema()["paths"].items():
        for method, spec in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            found.append(_operation(path, method, spec))
    return tuple(sorted(found, key=lambda op: op.label))


def _operation(path: str, method: str, spec: dict) -> Operation:
    security = spec.get("security", [])
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=spec.get("operationId", ""),
        tags=tuple(spec.get("tags", [])),
        query=tuple(p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"),
        has_body=method in BODY_METHODS and "requestBody" in spec,
        body_types=tuple(spec.get("requestBody", {}).get("content", {})),
        requires_auth=bool(security) and {} not in security,
        path_samples=tuple(
            (p["name"], _sample(p.get("schema", {})))
            for p in spec.get("parameters", [])
            if p.get("in") == "path"
        ),
    )


def _sample(param_schema: dict) -> str:
    return "00000000-0000-4000-8000-000000000001" if param_schema.get("format") == "uuid" else "1"


def with_query(name: str, method: str = "GET") -> list[Operation]:
    return [op for op in operations() if op.method == method and name in op.query]


def body_operations() -> list[Operation]:
    return [op for op in operations() if op.has_body]


def json_body_operations() -> list[Operation]:
    return [op for op in body_operations() if "application/json" in op.body_types]


def upload_operations() -> list[Operation]:
    """Operations whose body is a multipart upload only (JSON is 415 there)."""
    return [op for op in body_operations() if "application/json" not in op.body_types]
