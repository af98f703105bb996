"""TMDb v3 endpoints: authenticate the key, rate-limit it, answer TMDb's body from the mirror (cached)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from apps.movies.services import Audience
from core.cache import keys
from core.exceptions import NotFound, ServiceUnavailable, Throttled, ValidationFailed

from . import caching
from .apikeys import ApiKeyService
from .errors import (
    InvalidPage,
    InvalidParameters,
    RateLimited,
    ResourceNotFound,
    ServiceOffline,
    TMDbCompatError,
)
from .services import LISTS, RELATED, TMDbCompatService
from .shapes import SUB_RESOURCES

LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
REGION = re.compile(r"^[A-Z]{2}$")
CONTENT_TYPE = "application/json;charset=utf-8"
LISTS_NS = (keys.NS_CATALOG, keys.NS_CATALOG_LISTS)


def json_response(body: dict, status: int = 200) -> HttpResponse:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(payload.encode(), status=status, content_type=CONTENT_TYPE)


def error_response(error: TMDbCompatError) -> HttpResponse:
    response = json_response(error.body(), error.http_status)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def presented_key(request: HttpRequest) -> str | None:
    """`api_key=` in the query, else `Authorization: Bearer <key>` (as TMDb accepts either)."""
    if request.GET.get("api_key"):
        return request.GET["api_key"]
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def page_param(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise InvalidPage()
    return int(raw)


def audience(request: HttpRequest) -> Audience:
    """language, region and include_adult as on TMDb (an unusable value is ignored)."""
    language = request.GET.get("language", "")
    region = request.GET.get("region", "")
    return Audience(
        language=language if LANGUAGE.match(language) else "",
        region=region if REGION.match(region) else "",
        include_adult=request.GET.get("include_adult", "").lower() == "true",
    )


def endpoint(namespaces: Callable[[dict], tuple[str, ...]] | tuple[str, ...] = (), *, detail: bool = False):
    """A TMDb endpoint: key check and rate limit first (never cached), then the cached body of
    `view(request, service, **kwargs) -> dict`, rendered with TMDb's errors."""

    def decorate(view: Callable[..., dict]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def handle(request: HttpRequest, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return error_response(ResourceNotFound())
            try:
                key = ApiKeyService.admit(presented_key(request))
            except TMDbCompatError as error:
                return error_response(error)
            # Upstream calls this read causes are charged to the key (the signed-in budget).
            request.upstream_client = f"tmdb-key:{key.pk}"
            names = namespaces(kwargs) if callable(namespaces) else namespaces
            ttl = settings.CACHE_TTL_VIEW_DETAIL if detail else settings.CACHE_TTL_VIEW_LIST
            return caching.serve(request, namespaces=names, ttl=ttl, run=lambda: _run(view, request, kwargs))

        return handle

    return decorate


def _run(view: Callable[..., dict], request: HttpRequest, kwargs: dict) -> HttpResponse:
    service = TMDbCompatService()
    try:
        body = view(request, service, **kwargs)
    except TMDbCompatError as error:
        return error_response(error)
    except NotFound:
        return error_response(ResourceNotFound())
    except ServiceUnavailable as exc:
        return error_response(ServiceOffline(retry_after=exc.retry_after))
    except Throttled as exc:  # the key's share of the TMDb quota is spent for this minute
        return error_response(
            RateLimited(limit=settings.TMDB_CLIENT_BUDGET_USER, retry_after=exc.retry_after)
        )
    except ValidationFailed as exc:
        return error_response(InvalidPage() if "page" in (exc.detail or {}) else InvalidParameters())
    response = json_response(body)
    if service.degraded:
        response.cache_ttl = settings.CACHE_TTL_DEGRADED
    return response


def _detail_ns(kwargs: dict) -> tuple[str, ...]:
    # Appended recommendations/similar are lists of other movies.
    return (keys.NS_CATALOG, keys.movie_namespace(kwargs["tmdb_id"]), keys.NS_CATALOG_LISTS)


@endpoint((keys.NS_CATALOG,))
def configuration(request, service):
    return service.configuration()


@endpoint((keys.NS_CATALOG,))
def genre_movie_list(request, service):
    return service.genres(audience=audience(request))


@endpoint(_detail_ns, detail=True)
def movie_details(request, service, tmdb_id: int):
    return service.details(
        tmdb_id=tmdb_id, audience=audience(request), append=request.GET.get("append_to_response", "")
    )


@endpoint(_detail_ns, detail=True)
def movie_part(request, service, tmdb_id: int, name: str):
    """credits, videos, keywords, external_ids; recommendations and similar (pages)."""
    if name in RELATED:
        return service.related_page(
            tmdb_id=tmdb_id, kind=name, page=page_param(request), audience=audience(request)
        )
    if name not in SUB_RESOURCES:
        raise ResourceNotFound()
    return service.sub_resource(tmdb_id=tmdb_id, name=name, audience=audience(request))


@endpoint(LISTS_NS)
def movie_list(request, service, kind: str):
    if kind not in LISTS:
        raise ResourceNotFound()
    return service.movie_list(kind=kind, page=page_param(request), audience=audience(request))


@endpoint(LISTS_NS)
def trending(request, service, window: str):
    if window not in ("day", "week"):
        raise ResourceNotFound()
    return service.trending(window=window, page=page_param(request), audience=audience(request))


@endpoint(LISTS_NS)
def search(request, service):
    year = request.GET.get("primary_release_year") or request.GET.get("year") or ""
    return service.search(
        query=request.GET.get("query", ""),
        page=page_param(request),
        year=int(year) if year.isdigit() and 1870 <= int(year) <= 2100 else None,
        audience=audience(request),
    )


@endpoint(LISTS_NS)
def discover(request, service):
    params = {name: request.GET[name] for name in request.GET}
    return service.discover(params=params, page=page_param(request), audience=audience(request))


@endpoint()  # never cached: a change shows at once
def changes(request, service):
    return service.changes(
        start_date=_date(request.GET.get("start_date")),
        end_date=_date(request.GET.get("end_date")),
        page=page_param(request),
    )


@endpoint(LISTS_NS)
def find(request, service, external_id: str):
    return service.find(
        external_id=external_id, source=request.GET.get("external_source", ""), audience=audience(request)
    )


@endpoint()
def not_found(request, service, rest: str = ""):
    raise ResourceNotFound()


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidParameters() from None
