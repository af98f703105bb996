"""HTTP caching for catalog reads: rendered bytes in L1/L2, ETag/304, Cache-Control, X-Cache.

Apply it with one line per view class:

    @cache_catalog_response("list")      # every list of movies (namespace catalog:lists)
    @cache_catalog_response("detail")    # one movie by `tmdb_id` (namespace catalog:movie:<id>)

A page is rendered once per audience (language, region, adult preference) without personal flags
and shared by every reader of that audience. A request with a valid bearer token gets the same
cached bytes with its reader's is_favorite / in_watchlist / watched spliced in (core.cache.personal),
sent `private, no-store` and never stored anywhere as such. A bearer token the resolver cannot
vouch for goes to the view (which answers 401), uncached.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from core.constants import DEFAULT_PAGE_SIZE

from . import keys, layers
from .layers import BYPASS, MISS
from .namespaces import namespace_versions
from .personal import Audience, Reader, Slots, find_slots, merge, page_movie_ids, resolve_reader

# Values that mean the default and so do not split the cache.
QUERY_DEFAULTS = {"page": "1", "page_size": str(DEFAULT_PAGE_SIZE)}
# Only these statuses are stored: the page, and briefly "not found" (negative caching).
CACHEABLE_STATUSES = frozenset({200, 404})
BYPASS_HEADER = "X-Cache-Bypass"
_TRUE = {"1", "true", "yes", "on"}
# Parameters that make up the audience part of the key (an explicit `include_adult` that a view
# reads, such as discover's, is also a plain parameter of its key).
AUDIENCE_PARAMETERS = ("language", "region")

Namespace = str | Callable[[dict], str]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """What the view level stores: enough to answer without running the view."""

    status: int
    body: bytes
    content_type: str
    etag: str
    ttl: float | None = None  # the view's own shorter lifetime (a degraded answer)
    slots: Slots | None = None  # where each movie's personal flags sit (None: none can be merged)


class _Uncacheable(Exception):
    """The view answered something not to be stored (a 400, a 503…); hand it back untouched."""

    def __init__(self, response: HttpResponse):
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class ViewCachePolicy:
    namespaces: tuple[Namespace, ...]
    ttl: Callable[[], float]
    max_age: Callable[[], int]

    def key(
        self, request: HttpRequest, kwargs: dict, known: frozenset[str] | None, audience: Audience
    ) -> str:
        """The view key, built from the parameters the view reads (`known`) and the audience; any
        other parameter cannot change the answer, so it is left out and never grows the cache."""
        items = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in AUDIENCE_PARAMETERS and (known is None or name in known)
            for value in values
        ]
        versions = namespace_versions([self._name(namespace, kwargs) for namespace in self.namespaces])
        return keys.view_response(
            host=f"{request.scheme}://{request.get_host()}",
            path=request.path,
            query=keys.normalize_query(items, QUERY_DEFAULTS),
            language=audience.language,
            region=audience.region,
            include_adult=audience.include_adult,
            versions=versions,
        )

    @staticmethod
    def audience(request: HttpRequest, known: frozenset[str] | None, reader: Reader | None) -> Audience:
        """Who the page is rendered for: the query's language and region, else the reader's
        preferences, else the defaults; adult titles only for a reader whose preferences allow
        them (the view reads the same values: `request.shared_audience`)."""
        params = request.GET
        region = params.get("region", "") if known is None or "region" in known else ""
        return Audience(
            language=params.get("language")
            or (reader.language if reader else "")
            or settings.TMDB_DEFAULT_LANGUAGE,
            region=region or (reader.region if reader else ""),
            include_adult=bool(reader and reader.include_adult),
        )

    @staticmethod
    def _name(namespace: Namespace, kwargs: dict) -> str:
        return namespace(kwargs) if callable(namespace) else namespace

    def ttl_for(self, cached: CachedResponse) -> float:
        if cached.ttl is not None:
            return cached.ttl
        return self.ttl() if cached.status == 200 else settings.CACHE_TTL_VIEW_NEGATIVE


def cache_response(
    *, namespaces: Iterable[Namespace], ttl: Callable[[], float], max_age: Callable[[], int]
) -> Callable[[type], type]:
    """Class decorator for a DRF view: caches its anonymous GET responses (see the module doc)."""
    policy = ViewCachePolicy(tuple(namespaces), ttl, max_age)

    def decorate(view_class: type) -> type:
        original = view_class.dispatch

        @functools.wraps(original)
        def dispatch(self, request, *args, **kwargs):
            run = functools.partial(original, self, request, *args, **kwargs)
            return serve(request, kwargs, run, policy, known=known_parameters(self))

        view_class.dispatch = dispatch
        view_class.http_cache_policy = policy
        return view_class

    return decorate


def cache_catalog_response(kind: str, *, lookup: str = "tmdb_id") -> Callable[[type], type]:
    """The catalog presets: "list" (bumped by any movie change) or "detail" (one movie by `lookup`)."""
    if kind == "list":
        return cache_response(
            namespaces=(keys.NS_CATALOG, keys.NS_CATALOG_LISTS),
            ttl=lambda: settings.CACHE_TTL_VIEW_LIST,
            max_age=lambda: settings.CACHE_HTTP_MAX_AGE_LIST,
        )
    if kind == "detail":
        return cache_response(
            namespaces=(keys.NS_CATALOG, lambda kwargs: keys.movie_namespace(kwargs[lookup])),
            ttl=lambda: settings.CACHE_TTL_VIEW_DETAIL,
            max_age=lambda: settings.CACHE_HTTP_MAX_AGE_DETAIL,
        )
    raise ValueError(f"unknown catalog cache kind {kind!r}")


def known_parameters(view) -> frozenset[str]:
    """The query parameters a view reads: its `params_class`'s fields, and paging."""
    params_class = getattr(view, "params_class", None)
    if params_class not in _KNOWN:
        names = set(params_class().fields) if params_class is not None else set()
        _KNOWN[params_class] = frozenset({*names, *PAGING_PARAMETERS})
    return _KNOWN[params_class]


_KNOWN: dict = {}
PAGING_PARAMETERS = ("page", "page_size")


def serve(
    request: HttpRequest,
    kwargs: dict,
    run: Callable[[], HttpResponse],
    policy: ViewCachePolicy,
    *,
    known: frozenset[str] | None = None,
):
    # HEAD is a GET whose body the server drops: same cache entry, same ETag and caching headers.
    if request.method not in ("GET", "HEAD"):
        return run()
    reader = None
    if "HTTP_AUTHORIZATION" in request.META:
        reader = resolve_reader(request)
        if reader is None:  # not a token the resolver vouches for: the view answers (401), uncached
            return _private(run(), BYPASS)
    if _bypass_requested(request):
        with layers.bypass():
            response = _render(run())
            return _private(response, BYPASS) if reader else _public(response, BYPASS, None, policy)
    audience = policy.audience(request, known, reader)
    request.shared_audience = audience  # the view renders for exactly this audience (no flags)
    key = policy.key(request, kwargs, known, audience)
    try:
        lookup = layers.fetch(
            key,
            lambda: _capture(run, policy, request, kwargs, key, known, audience),
            ttl=policy.ttl(),
            level="view",
            ttl_for=policy.ttl_for,
        )
        cached, status, tier = lookup.value, lookup.status, lookup.tier
    except _Uncacheable as passthrough:
        return _private(passthrough.response, MISS) if reader else _no_store(passthrough.response, MISS)
    except _Rekeyed as rekeyed:
        # The view's own write (a read-through completing the catalog) bumped a namespace of this
        # very key: the bytes belong under the new key, where the next request will look.
        layers.set(rekeyed.key, rekeyed.cached, ttl=policy.ttl_for(rekeyed.cached), level="view")
        cached, status, tier = rekeyed.cached, MISS, None
    if reader is not None:
        if cached.status == 200 and cached.slots is None:  # flags that cannot be told apart
            del request.shared_audience
            return _private(_render(run()), BYPASS)
        return _personal(cached, reader, status, tier)
    if _etag_matches(request, cached.etag):
        return _headers(HttpResponseNotModified(), cached, status, tier, policy)
    return _headers(_from_cache(cached), cached, status, tier, policy)


def _personal(cached: CachedResponse, reader: Reader, status: str, tier: str | None) -> HttpResponse:
    """The shared bytes with the reader's flags spliced in: private, never stored as such."""
    body = cached.body
    if cached.slots is not None and cached.slots.positions:
        body = merge(body, cached.slots, reader.flags())
    response = HttpResponse(body, status=cached.status, content_type=cached.content_type)
    return _private(response, status, tier)


def _bypass_requested(request: HttpRequest) -> bool:
    """The bench's "cache disabled" runs: honoured only where BENCH_ENDPOINTS is on."""
    return settings.BENCH_ENDPOINTS and request.headers.get(BYPASS_HEADER, "").lower() in _TRUE


def _render(response: HttpResponse) -> HttpResponse:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


class _Rekeyed(Exception):
    """The response was rendered after a write that moved its key: store it under `key`."""

    def __init__(self, key: str, cached: CachedResponse):
        super().__init__(key)
        self.key = key
        self.cached = cached


def _capture(
    run: Callable[[], HttpResponse],
    policy: ViewCachePolicy,
    request: HttpRequest,
    kwargs: dict,
    key: str,
    known: frozenset[str] | None,
    audience: Audience,
) -> CachedResponse:
    response = _render(run())
    if response.status_code not in CACHEABLE_STATUSES or response.streaming:
        raise _Uncacheable(response)
    body = bytes(response.content)
    cached = CachedResponse(
        status=response.status_code,
        body=body,
        content_type=response.get("Content-Type", "application/json"),
        etag=f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
        ttl=getattr(response, "cache_ttl", None),
        slots=_slots(response, body),
    )
    # This process sees its own namespace bumps at once, so the key is cheap to recheck.
    current = policy.key(request, kwargs, known, audience)
    if current != key:
        raise _Rekeyed(current, cached)
    return cached


def _slots(response: HttpResponse, body: bytes) -> Slots | None:
    """Where the movies' personal flags sit in a page (none in a 404 or a genre list)."""
    if response.status_code != 200:
        return None
    ids = page_movie_ids(getattr(response, "data", None))
    return find_slots(body, ids) if ids is not None else Slots((), ())


def _from_cache(cached: CachedResponse) -> HttpResponse:
    return HttpResponse(cached.body, status=cached.status, content_type=cached.content_type)


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _headers(
    response: HttpResponse, cached: CachedResponse, status: str, tier: str | None, policy: ViewCachePolicy
) -> HttpResponse:
    response["ETag"] = cached.etag
    if cached.status == 200:
        max_age = policy.max_age() if cached.ttl is None else min(policy.max_age(), int(cached.ttl))
        response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={max_age}"
    else:
        response["Cache-Control"] = f"public, max-age={settings.CACHE_TTL_VIEW_NEGATIVE}"
    return _mark(response, status, tier)


def _public(response: HttpResponse, status: str, tier: str | None, policy: ViewCachePolicy) -> HttpResponse:
    if response.status_code == 200:
        response["Cache-Control"] = f"public, max-age={policy.max_age()}"
    else:
        response["Cache-Control"] = "no-store"
    return _mark(response, status, tier)


def _no_store(response: HttpResponse, status: str) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return _mark(response, status, None)


def _private(response: HttpResponse, status: str, tier: str | None = None) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return _mark(response, status, tier)


def _mark(response: HttpResponse, status: str, tier: str | None) -> HttpResponse:
    response["X-Cache"] = status
    if tier:
        response["X-Cache-Level"] = tier
    if response.has_header("Vary"):
        patch_vary_headers(response, ("Authorization",))
    else:  # a response rebuilt from cached bytes: nothing to merge with
        response["Vary"] = "Authorization"
    return response
