"""The bench's baseline: a bare Django HttpResponse of pre-encoded bytes (BENCH_ENDPOINTS only)."""

import json

from django.http import HttpRequest, HttpResponse

# About the size of a cached movie detail, so the comparison is about the framework, not bytes.
BASELINE_BODY = json.dumps(
    {
        "success": True,
        "message": "OK",
        "data": {"id": 0, "title": "baseline", "overview": "x" * 1200},
        "errors": None,
        "meta": {},
    },
    separators=(",", ":"),
).encode()


def baseline_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BASELINE_BODY, content_type="application/json")
