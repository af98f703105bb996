"""Log plumbing: the request id on every record, and the JSON formatters for production."""

import functools
import json
import logging
import re

from pythonjsonlogger.json import JsonFormatter

from .request_context import get_request_id


class RequestIDFilter(logging.Filter):
    """Adds `request_id` (or "-" outside a request) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id() or "-"
        return True


class JSONFormatter(JsonFormatter):
    """One JSON object per line, with time, level, logger, message and request id."""


class AccessLogJSONFormatter(logging.Formatter):
    """granian's access log as one JSON object a line (docker/granian-logging.json).

    granian logs a request as `logger.info(fmt, atoms)`: the message is its access-log format
    (GRANIAN_LOG_ACCESS_FMT, each `%(header{name})s` renamed `%(_hN)s`) and the args are the
    atoms. When that format is a JSON object whose values are atoms, e.g.
    `{"path": "%(path)s", "status": "%(status)d"}`, each value is filled in from the atoms (a
    `d` or `f` atom stays a number) and the line is dumped with JSON escaping, so a header with
    quotes in it cannot break the line. Any other format is logged as granian would log it.
    """

    def format(self, record: logging.LogRecord) -> str:
        template = _access_template(record.msg) if isinstance(record.msg, str) else None
        if template is None or not isinstance(record.args, dict):
            return super().format(record)
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "logger": record.name}
        entry.update((field, _fill(spec, record.args)) for field, spec in template.items())
        entry["pid"] = record.process
        return json.dumps(entry, separators=(",", ":"))


_ATOM = re.compile(r"^%\((\w+)\)[-#0 +]*\d*(?:\.(\d+))?([sdif])$")


@functools.lru_cache(maxsize=8)
def _access_template(fmt: str) -> dict | None:
    try:
        template = json.loads(fmt)
    except ValueError:
        return None
    return template if isinstance(template, dict) else None


def _fill(spec, atoms: dict):
    if not isinstance(spec, str):
        return spec
    match = _ATOM.match(spec)
    if match is None:
        try:
            return spec % atoms
        except (KeyError, TypeError, ValueError):
            return spec
    name, precision, conversion = match.groups()
    value = atoms.get(name)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and conversion in "di":
        return int(value)
    if number and conversion == "f":
        return round(float(value), int(precision or 6))
    return "-" if value is None else str(value)
