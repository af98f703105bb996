"""Log plumbing: the request id on every record, and the JSON formatter for production."""

import logging

from pythonjsonlogger.json import JsonFormatter

from .request_context import get_request_id


class RequestIDFilter(logging.Filter):
    """Adds `request_id` (or "-" outside a request) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id() or "-"
        return True


class JSONFormatter(JsonFormatter):
    """One JSON object per line, with time, level, logger, message and request id."""
