"""OpenAPI generation: every response documented inside the envelope, with its error responses."""

import copy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance

from .error_codes import ErrorCode

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
    "409": "Conflict (conflict): work of this account already in progress; wait for it, then retry.",
    "413": "Request body too large.",
    "415": "Unsupported media type: send application/json.",
    "429": "Throttled; retry after Retry-After seconds.",
    "500": "Internal error (server_error), logged under the response's X-Request-ID.",
    "503": (
        "A dependency or TMDb is unavailable; retry after Retry-After seconds. "
        "503 means retry; the write may have happened: every write is safe to repeat."
    ),
}
NOT_MODIFIED = {"description": "Not modified: If-None-Match named the current ETag (no body)."}
_BODY_METHODS = {"POST", "PUT", "PATCH"}


# `data` of a response that carries none, and `errors` of a success: null, and only null. Enums like
# this one and `success`'s literal are added by the last hook (drf-spectacular's enum hook would
# make them shared components: an empty one, and one SuccessEnum for both true and false).
NULL_ONLY = {"type": "object", "nullable": True, "x-null-only": True}

# Every key a `meta` may hold, declared (and nothing else): a typed client can read them.
META_PROPERTIES = {
    "source": {
        "type": "string",
        "enum": ["local", "tmdb"],
        "description": "Movie lists: read from the local catalog, or TMDb's list (stored locally first).",
    },
    "language": {"type": "string", "description": "Movie payloads: the language the texts are in."},
    "upstream": {
        "type": "string",
        "enum": ["unavailable"],
        "description": "Present when TMDb could not answer and the local catalog answered instead.",
    },
    "incomplete": {
        "type": "array",
        "items": {"type": "string", "enum": ["genres"]},
        "description": "Movie lists: what some items lack (their genres could not be learned from TMDb).",
    },
    "strategy": {
        "type": "string",
        "enum": ["favorites", "preferred_genres", "favorite_genres", "popular"],
        "description": "recommendations/for-you: how the movies were chosen.",
    },
    "exported_at": {"type": "string", "format": "date-time", "description": "JSON export: when it was made."},
    "format": {"type": "string", "enum": ["json"], "description": "JSON export: the file format."},
}
META_REF = {"$ref": "#/components/schemas/Meta"}
PAGE_META_REF = {"$ref": "#/components/schemas/PageMeta"}


def envelope_schema(data_schema: dict | None, *, paginated: bool = False) -> dict:
    """The success envelope around `data_schema`: `success` is the literal true, `errors` null."""
    return {
        "type": "object",
        "required": ["success", "message", "data", "errors", "meta"],
        "properties": {
            "success": {"type": "boolean", "x-literal": True},
            "message": {"type": "string"},
            "data": data_schema if data_schema is not None else {**NULL_ONLY},
            "errors": {**NULL_ONLY, "description": "Null on success."},
            "meta": PAGE_META_REF if paginated else META_REF,
        },
        "additionalProperties": False,
    }


# A field's messages: a list of strings, or nested ones for nested inputs (disjoint types: no
# ambiguous oneOf).
FIELD_MESSAGES = {
    "oneOf": [
        {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {}},
                    {"type": "object", "additionalProperties": True},
                ]
            },
        },
        {"type": "object", "additionalProperties": True},
    ]
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
        "additionalProperties": False,
    },
    "Meta": {"type": "object", "properties": META_PROPERTIES, "additionalProperties": False},
    "PageMeta": {
        "type": "object",
        "required": ["pagination"],
        "properties": {**META_PROPERTIES, "pagination": PAGINATION_REF},
        "additionalProperties": False,
    },
    "ErrorCode": {
        "type": "string",
        "enum": [code.value for code in ErrorCode],
        "description": "Stable snake_case error code (core/error_codes.py); switch on it, never on messages.",
    },
    "ErrorDetail": {
        "type": "object",
        "required": ["code", "detail"],
        "properties": {
            "code": {"$ref": "#/components/schemas/ErrorCode"},
            "detail": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": FIELD_MESSAGES,
                "description": "Per-field messages (validation errors only).",
            },
            "retry_after": {"type": "integer", "minimum": 1, "description": "Seconds to wait (429, 503)."},
            "failed": {
                "type": "array",
                "items": {"type": "string"},
                "description": "/health/ready: the dependencies that did not answer.",
            },
            "checks": {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/HealthCheck"},
                "description": "/health/ready: every dependency's check.",
            },
        },
        "additionalProperties": False,
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["success", "message", "data", "errors", "meta"],
        "properties": {
            "success": {"type": "boolean", "x-literal": False},
            "message": {"type": "string"},
            "data": {**NULL_ONLY, "description": "Null on errors."},
            "errors": {"$ref": "#/components/schemas/ErrorDetail"},
            "meta": META_REF,
        },
        "additionalProperties": False,
    },
}


def _finish(node) -> None:
    """drf-spectacular writes a blank-allowed URL as oneOf [uri string, empty string]; "" may match
    both under some validators, so say anyOf (either will do). NULL_ONLY gets its enum."""
    if isinstance(node, dict):
        if node.pop("x-null-only", False):
            node["enum"] = [None]
        if "x-literal" in node:
            node["enum"] = [node.pop("x-literal")]
        members = node.get("oneOf")
        if members and all(member.get("type") == "string" for member in members):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _finish(value)
    elif isinstance(node, list):
        for value in node:
            _finish(value)


def add_envelope_components(result, generator, request, public):
    """Postprocessing hook: registers the envelope's shared components; no ambiguous oneOf."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, copy.deepcopy(schema))
    _finish(result)
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
        """A response carries every field it serializes: all are required, except those declared
        `required=False` explicitly (DRF skips those when the instance lacks them)."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "response":
            if getattr(force_instance(serializer), "refuses_unknown_fields", False):
                schema["additionalProperties"] = False  # a 400 names any other field
            return schema
        serializer = force_instance(serializer)
        declared = getattr(serializer, "_declared_fields", {})
        # `_kwargs` holds what the declaration said (read-only fields are never `required` in DRF).
        optional = {name for name, field in declared.items() if field._kwargs.get("required") is False}
        required = [name for name in schema.get("properties", {}) if name not in optional]
        schema.pop("required", None)
        if required:
            schema["required"] = required
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
        if self.method == "GET" and getattr(self.view, "http_cache_policy", None):
            responses.setdefault("304", NOT_MODIFIED)
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "405", "406", "429", "500", "503"]
        if self.method in _BODY_METHODS:
            codes += ["413", "415"]
        # A view that can answer more says so: `extra_error_codes = {"POST": ("409",)}`.
        codes += list((getattr(self.view, "extra_error_codes", None) or {}).get(self.method, ()))
        return codes
