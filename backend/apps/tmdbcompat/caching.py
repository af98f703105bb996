"""Shared cached bytes of TMDb-format answers: one copy per key-independent URL, bumped with the catalog."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core import cache
from core.cache import keys
from core.cache.http import CachedResponse
from core.cache.namespaces import namespace_versions

CACHEABLE_STATUSES = frozenset({200, 404})
# Never part of the key (so never of a cached body): the caller's credentials.
PRIVATE_PARAMS = frozenset({"api_key"})


class _Uncacheable(Exception):
    def __init__(self, response: HttpResponse):
        super().__init__(response.status_code)
        self.response = response


def response_key(request: HttpRequest, namespaces: tuple[str, ...]) -> str:
    items = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in PRIVATE_PARAMS
        for value in values
    ]
    return keys.tmdb_compat_response(
        path=request.path, query=keys.normalize_query(items), versions=namespace_versions(list(namespaces))
    )


def serve(
    request: HttpRequest, *, namespaces: tuple[str, ...], ttl: float, run: Callable[[], HttpResponse]
) -> HttpResponse:
    """The cached answer for this URL, else `run()`'s (stored when a 200 or a 404)."""
    if not namespaces or not settings.CACHE_ENABLED:
        return run()

    def capture() -> CachedResponse:
        response = run()
        if response.status_code not in CACHEABLE_STATUSES:
            raise _Uncacheable(response)
        body = bytes(response.content)
        return CachedResponse(
            status=response.status_code,
            body=body,
            content_type=response["Content-Type"],
            etag=f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
            ttl=getattr(response, "cache_ttl", None),
        )

    def ttl_for(cached: CachedResponse) -> float:
        if cached.ttl is not None:
            return cached.ttl
        return ttl if cached.status == 200 else settings.CACHE_TTL_VIEW_NEGATIVE

    try:
        cached = cache.get_or_set(
            response_key(request, namespaces), capture, ttl=ttl, level="view", ttl_for=ttl_for
        )
    except _Uncacheable as uncacheable:
        return uncacheable.response
    response = HttpResponse(cached.body, status=cached.status, content_type=cached.content_type)
    response["ETag"] = cached.etag
    return response
