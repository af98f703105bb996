"""Request-wide middleware: request ids, body size limit, and the envelope for Django's own errors."""

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse

from .error_codes import ErrorCode
from .request_context import (
    new_request_id,
    reset_current_request,
    reset_request_id,
    set_current_request,
    set_request_id,
)
from .responses import error_envelope

REQUEST_ID_HEADER = "X-Request-ID"
ENVELOPE_PATH_PREFIXES = ("/api/", "/health/", "/metrics")
MESSAGE_PATH_PREFIXES = ("/admin/",)

_STATUS_CODES = {
    400: (ErrorCode.BAD_REQUEST, "Bad request."),
    401: (ErrorCode.NOT_AUTHENTICATED, "Authentication credentials were not provided."),
    403: (ErrorCode.PERMISSION_DENIED, "You do not have permission to perform this action."),
    404: (ErrorCode.NOT_FOUND, "Not found."),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed."),
    406: (ErrorCode.NOT_ACCEPTABLE, "Not acceptable."),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large."),
    415: (ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type."),
    429: (ErrorCode.THROTTLED, "Request was throttled."),
    500: (ErrorCode.SERVER_ERROR, "Internal server error."),
    503: (ErrorCode.SERVICE_UNAVAILABLE, "The service is temporarily unavailable."),
}


def envelope_error_response(status: int, *, message: str | None = None) -> JsonResponse:
    code, default_message = _STATUS_CODES.get(
        status, (ErrorCode.SERVER_ERROR if status >= 500 else ErrorCode.BAD_REQUEST, "Error.")
    )
    body = error_envelope(code=code, message=message or default_message)
    return JsonResponse(body, status=status)


def wants_envelope(path: str) -> bool:
    return path.startswith(ENVELOPE_PATH_PREFIXES)


class RequestIDMiddleware:
    """Takes X-Request-ID from the request (or makes one) and returns it on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = set_request_id(request_id)
        request_token = set_current_request(request)
        try:
            response = self.get_response(request)
        finally:
            reset_current_request(request_token)
            reset_request_id(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class BodySizeLimitMiddleware:
    """Refuses bodies over MAX_REQUEST_BODY_BYTES with 413 before anything reads them.

    File uploads (UPLOAD_BODY_PATHS) have their own, larger limit: MAX_UPLOAD_BODY_BYTES.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BODY_BYTES
        self.upload_limit = settings.MAX_UPLOAD_BODY_BYTES
        self.upload_paths = tuple(settings.UPLOAD_BODY_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return envelope_error_response(400, message="Invalid Content-Length header.")
        limit = self.upload_limit if request.path in self.upload_paths else self.limit
        if length > limit:
            return envelope_error_response(413, message=f"Request body is too large (limit {limit} bytes).")
        return self.get_response(request)


class AdminMessageMiddleware(MessageMiddleware):
    """Django's messages only where something shows them: the admin (MESSAGE_PATH_PREFIXES).

    Setting up the message storage (a cookie signer, a session lookup) cost about 20 µs on every
    API request, a tenth of a cached read, for messages nothing outside the admin ever sends.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(MESSAGE_PATH_PREFIXES):
            super().process_request(request)


class APIErrorEnvelopeMiddleware:
    """Rewrites Django's own HTML error pages (404, 405, 500, CSRF…) under /api/ into the envelope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not wants_envelope(request.path):
            return response
        if _is_json(response):
            return response
        replacement = envelope_error_response(response.status_code)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """handler400: SuspiciousOperation (a foreign Host header, …) raised outside any view.

    Such errors are answered by Django's handler before the envelope middleware sees them.
    """
    if wants_envelope(request.path):
        return envelope_error_response(400)
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception)
