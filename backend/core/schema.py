"""OpenAPI generation: every response documented inside the envelope, with its error responses."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance

ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
PAGINATION_REF = {"$ref": "#/components/schemas/Pagination"}
JSON = "application/json"

_ERROR_DESCRIPTIONS = {
    "400": "Validation failed (errors.fields holds per-field messages).",
    "401": "Missing, invalid or expired credentials.",
    "403": "Authenticated but not allowed.",
    "404": "Not found (also for another user's objects).",
    "405": "Method not allowed.",
    "406": "Not acceptable: only application/json is served.",
    "413": "Request body too large.",
    "415": "Unsupported media type: send application/json.",
    "429": "Throttled; retry after Retry-After seconds.",
    "503": "A dependency or TMDb is unavailable; retry after Retry-After seconds.",
}
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def envelope_schema(data_schema: dict | None, *, paginated: bool = False) -> dict:
    meta: dict = {"type": "object", "additionalProperties": True}
    if paginated:
        meta = {
            "type": "object",
            "required": ["pagination"],
            "properties": {"pagination": PAGINATION_REF},
            "additionalProperties": True,
        }
    return {
        "type": "object",
        "required": ["success", "message", "data", "errors", "meta"],
        "properties": {
            "success": {"type": "boolean"},
            "message": {"type": "string"},
            "data": data_schema if data_schema is not None else {"nullable": True},
            "errors": {"type": "object", "nullable": True, "description": "Null on success."},
            "meta": meta,
        },
    }


COMPONENTS = {
    "Pagination": {
        "type": "object",
        "required": ["page", "page_size", "total_pages", "total_results", "next", "previous"],
        "properties": {
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "total_pages": {"type": "integer", "minimum": 0},
            "total_results": {"type": "integer", "minimum": 0},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
        },
    },
    "ErrorDetail": {
        "type": "object",
        "required": ["code", "detail"],
        "properties": {
            "code": {"type": "string", "description": "Stable snake_case error code."},
            "detail": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": True,
                "description": "Per-field messages (validation errors only).",
            },
            "retry_after": {"type": "integer", "description": "Seconds to wait (429, 503)."},
        },
        "additionalProperties": True,
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["success", "message", "data", "errors", "meta"],
        "properties": {
            "success": {"type": "boolean"},
            "message": {"type": "string"},
            "data": {"nullable": True, "description": "Null on errors."},
            "errors": {"$ref": "#/components/schemas/ErrorDetail"},
            "meta": {"type": "object", "additionalProperties": True},
        },
    },
}


def add_envelope_components(result, generator, request, public):
    """Postprocessing hook: registers the envelope's shared components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    return result


class EnvelopeAutoSchema(AutoSchema):
    """Wraps 2xx JSON bodies in the envelope and adds the documented error responses."""

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2") or self._is_paginated(serializer):
            return response
        content = response.get("content", {})
        if JSON in content and not getattr(self.view, "raw_schema", False):
            content[JSON]["schema"] = envelope_schema(content[JSON].get("schema"))
        return response

    def _map_basic_serializer(self, serializer, direction):
        """Fields a serializer lists in `optional_in_response` are documented as not required."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(force_instance(serializer), "optional_in_response", ()))
        if optional and schema.get("required"):
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _is_paginated(self, serializer) -> bool:
        serializer = getattr(serializer, "response", serializer)
        serializer = force_instance(serializer)
        return bool(self._get_paginator()) and self._is_list_view(serializer)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "description": _ERROR_DESCRIPTIONS[code],
                    "content": {JSON: {"schema": ERROR_REF}},
                },
            )
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "405", "406", "429", "503"]
        if self.method in _BODY_METHODS:
            codes += ["413", "415"]
        return codes
