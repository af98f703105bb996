"""Request parsers: JSON that refuses hostile documents (deep nesting, non-finite numbers) with 400."""

import codecs
import json
import math

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"Number out of range: {text[:40]}")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: too-deep nesting and out-of-range numbers are parse errors, not 500s."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json.loads(text, parse_float=_finite_float, parse_constant=strict_constant)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nesting too deep.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
