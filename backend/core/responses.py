"""The one response envelope: {success, message, data, errors, meta} for every JSON response."""

from typing import Any

from rest_framework import status as http_status
from rest_framework.response import Response


def success_envelope(*, data: Any = None, message: str = "OK", meta: dict | None = None) -> dict:
    return {"success": True, "message": message, "data": data, "errors": None, "meta": meta or {}}


def error_envelope(
    *,
    code: str,
    message: str,
    fields: dict | None = None,
    extra: dict | None = None,
    meta: dict | None = None,
) -> dict:
    errors: dict[str, Any] = {"code": str(code), "detail": message, **(extra or {})}
    if fields is not None:
        errors["fields"] = fields
    return {"success": False, "message": message, "data": None, "errors": errors, "meta": meta or {}}


class APIResponse(Response):
    """A DRF Response whose body is the success envelope."""

    def __init__(
        self,
        data: Any = None,
        *,
        message: str = "OK",
        meta: dict | None = None,
        status: int = http_status.HTTP_200_OK,
        headers: dict | None = None,
    ):
        super().__init__(
            success_envelope(data=data, message=message, meta=meta), status=status, headers=headers
        )

    @classmethod
    def created(cls, data: Any = None, *, message: str = "Created", meta: dict | None = None):
        return cls(data, message=message, meta=meta, status=http_status.HTTP_201_CREATED)
