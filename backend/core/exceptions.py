"""The error hierarchy (HTTP status + stable snake_case code) and the envelope exception handler."""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .error_codes import ErrorCode
from .responses import error_envelope

logger = logging.getLogger(__name__)


class APIError(drf.APIException):
    """Base of every domain error: carries an HTTP status and a stable code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request could not be processed."
    default_code = ErrorCode.BAD_REQUEST

    def __init__(self, detail=None, code=None, *, extra: dict | None = None):
        super().__init__(detail=detail, code=code)
        self.extra = extra or {}


class ValidationFailed(APIError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid input."
    default_code = ErrorCode.VALIDATION_ERROR


class NotFound(APIError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."
    default_code = ErrorCode.NOT_FOUND


class Conflict(APIError):
    """The request is fine, but the account is busy with the same thing (e.g. an import running)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with work already in progress."
    default_code = ErrorCode.CONFLICT


class Forbidden(APIError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "You do not have permission to perform this action."
    default_code = ErrorCode.PERMISSION_DENIED


class PayloadTooLarge(APIError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = ErrorCode.PAYLOAD_TOO_LARGE


class ServiceUnavailable(APIError):
    """A dependency (database, cache, broker, upstream) cannot answer now; retry later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable. Please retry later."
    default_code = ErrorCode.SERVICE_UNAVAILABLE
    default_retry_after = 30

    def __init__(self, detail=None, code=None, *, retry_after: int | None = None, extra=None):
        super().__init__(detail=detail, code=code, extra=extra)
        self.retry_after = retry_after or self.default_retry_after


class Throttled(APIError):
    """This client has used its share of something shared (e.g. the TMDb quota); retry later."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Request was throttled."
    default_code = ErrorCode.THROTTLED

    def __init__(self, detail=None, code=None, *, retry_after: int = 60, extra=None):
        super().__init__(detail=detail, code=code, extra=extra)
        self.retry_after = max(1, int(retry_after))


class UpstreamUnavailable(ServiceUnavailable):
    default_detail = "The movie data provider is unavailable. Please retry later."
    default_code = ErrorCode.UPSTREAM_UNAVAILABLE


# Stable codes for DRF's and Django's own exceptions.
_DRF_CODES: dict[type, str] = {
    drf.ValidationError: ErrorCode.VALIDATION_ERROR,
    drf.ParseError: ErrorCode.PARSE_ERROR,
    drf.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    drf.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    drf.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    drf.NotFound: ErrorCode.NOT_FOUND,
    drf.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    drf.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    drf.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    drf.Throttled: ErrorCode.THROTTLED,
}


def _code_for(exc: drf.APIException) -> str:
    if isinstance(exc, APIError):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else str(exc.default_code)
    for klass in type(exc).__mro__:
        if klass in _DRF_CODES:
            return _DRF_CODES[klass]
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else ErrorCode.BAD_REQUEST


# A database that is down or restarting: clients retry shortly (a restart takes seconds).
DATABASE_RETRY_AFTER = 5


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, (DatabaseOperationalError, DatabaseInterfaceError)):
        logger.warning("Database unavailable: %s", exc)
        return ServiceUnavailable(
            "The database is temporarily unavailable. Please retry later.", retry_after=DATABASE_RETRY_AFTER
        )
    if isinstance(exc, Http404):
        return drf.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return drf.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return drf.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return exc


def _split_validation(detail) -> tuple[str, dict | None]:
    """DRF validation detail → (summary message, per-field messages)."""
    if isinstance(detail, dict):
        fields = {key: _flatten(value) for key, value in detail.items()}
        non_field = fields.pop("non_field_errors", None)
        message = non_field[0] if non_field else "Invalid input."
        if non_field:
            fields["non_field_errors"] = non_field
        return message, fields
    messages = _flatten(detail)
    return (messages[0] if messages else "Invalid input."), None


def _flatten(value) -> list | dict:
    if isinstance(value, dict):
        return {key: _flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        if any(isinstance(item, (dict, list)) for item in value):
            return [_flatten(item) for item in value]
        return [str(item) for item in value]
    return [str(value)]


def envelope_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF exception handler: every error leaves in the one envelope."""
    exc = _translate(exc)
    if not isinstance(exc, drf.APIException):
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        set_rollback()
        return Response(
            error_envelope(code=ErrorCode.SERVER_ERROR, message="Internal server error."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    code = _code_for(exc)
    headers = {}
    extra = dict(getattr(exc, "extra", {}) or {})
    if isinstance(exc, drf.ValidationError) or code == ErrorCode.VALIDATION_ERROR:
        message, fields = _split_validation(exc.detail)
        code = ErrorCode.VALIDATION_ERROR
    else:
        message, fields = str(exc.detail), None
    retry_after = _retry_after(exc)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
        extra["retry_after"] = retry_after
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    set_rollback()
    body = error_envelope(code=code, message=message, fields=fields, extra=extra)
    return Response(body, status=exc.status_code, headers=headers)


def _retry_after(exc: drf.APIException) -> int | None:
    if isinstance(exc, drf.Throttled):
        return max(1, math.ceil(exc.wait)) if exc.wait is not None else 1
    if isinstance(exc, (ServiceUnavailable, Throttled)):
        return exc.retry_after
    return None


class EmailNotVerified(Forbidden):
    default_detail = "Verify your email address before changing favorites or the watchlist."
    default_code = ErrorCode.EMAIL_NOT_VERIFIED
