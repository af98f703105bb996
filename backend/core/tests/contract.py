"""The OpenAPI contract as a test oracle: every response a test client receives is checked against
the generated schema (status documented, media type documented, body valid with formats enforced)."""

import copy
import json
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qs

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = "urn:movie-nexus:openapi"
# With `fields=`, a movie payload (or a personal list item) holds only the fields asked for and `id`.
FIELD_SELECTABLE = ("MovieList", "MovieDetail", "FavoriteListItem", "WatchlistListItem")
# Views the tests mount for themselves (core/tests/urls.py): their errors are checked, not successes.
TEST_ONLY = "/api/v1/_test/"
# HTTP-level answers with no body of ours to check.
BODYLESS = {204, 304}


class ContractViolation(AssertionError):
    """A response the schema does not describe."""


def to_json_schema(node):
    """OpenAPI 3.0 schema objects → JSON Schema: `nullable` becomes a "null" type (and a null enum
    member); references point into the registered document."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if not key.startswith("x-")}
    if "$ref" in out and out["$ref"].startswith("#/"):
        out["$ref"] = ROOT + out["$ref"]
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    responses: dict


class Contract:
    """The schema, ready to answer "is this response one it describes?"."""

    def __init__(self, schema: dict):
        self.schema = schema
        # Literal paths first: movies/popular/ is not movies/{tmdb_id}/.
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path.rstrip("/")) + "/?$"), path)
            for path in sorted(schema["paths"], key=lambda path: path.count("{"))
        ]
        self.format_checker = FormatChecker()

    @cached_property
    def _registries(self) -> dict[bool, Registry]:
        """The document as a resource, and a copy whose movie types require only `id` (fields=)."""
        converted = to_json_schema(self.schema)
        partial = copy.deepcopy(converted)
        for name in FIELD_SELECTABLE:
            partial["components"]["schemas"][name]["required"] = ["id"]
        return {
            selected: Registry().with_resource(
                ROOT, Resource.from_contents(doc, default_specification=DRAFT7)
            )
            for selected, doc in ((False, converted), (True, partial))
        }

    def operation(self, path: str, method: str) -> Operation | None:
        for pattern, template in self.routes:
            if pattern.match(path):
                operation = self.schema["paths"][template].get(method.lower())
                return Operation(template, method, operation["responses"]) if operation else None
        return None

    def check(self, *, method: str, path: str, query: str, status: int, content_type: str, body: bytes):
        """Raises ContractViolation when the schema does not describe this response."""
        if not path.startswith(("/api/v1/", "/health/")):
            return
        if 300 <= status < 400 and status != 304:
            return
        head, method = method == "HEAD", "GET" if method == "HEAD" else method
        operation = self.operation(path, method)
        where = f"{method} {path}{'?' + query if query else ''} → {status}"
        media = content_type.split(";")[0].strip()
        if operation is None:
            # An unknown path or method (or a test's own view): only ever the error envelope.
            if status < 400 and path.startswith(TEST_ONLY):
                return
            if status < 400:
                raise ContractViolation(f"{where}: undocumented path or method answered {status}")
            self._validate(where, {"$ref": f"{ROOT}#/components/schemas/ErrorEnvelope"}, body, query)
            return
        documented = operation.responses.get(str(status))
        if documented is None:
            raise ContractViolation(f"{where}: status not documented (has {sorted(operation.responses)})")
        content = documented.get("content", {})
        if head:  # the GET's status and headers, no body
            return
        if status in BODYLESS or not body:
            if content and status not in BODYLESS:
                raise ContractViolation(f"{where}: empty body, documented {sorted(content)}")
            return
        if media not in content:
            raise ContractViolation(f"{where}: {media!r} not documented (has {sorted(content)})")
        if media == "application/json":
            self._validate(where, to_json_schema(content[media]["schema"]), body, query)

    def _validate(self, where: str, schema: dict, body: bytes, query: str) -> None:
        try:
            instance = json.loads(body)
        except ValueError as exc:
            raise ContractViolation(f"{where}: body is not JSON: {body[:200]!r}") from exc
        registry = self._registries["fields" in parse_qs(query)]
        validator = Draft7Validator(schema, registry=registry, format_checker=self.format_checker)
        errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
        if errors:
            details = "\n".join(
                f"  at /{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
                for error in errors[:5]
            )
            raise ContractViolation(f"{where}: body does not match the schema\n{details}")


def response_body(response) -> bytes:
    """The body; a streamed one is read and put back, so the test still reads it."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
        return body
    return response.content
