"""warm_cache: request the hot anonymous catalog URLs in-process so every cache level holds them."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ..models import Movie
from .runner import SyncRun
from .summary import Outcome

LIST_ROUTES = (
    ("movies:movie-list", {}),
    ("movies:movie-popular", {}),
    ("movies:movie-top-rated", {}),
    ("movies:movie-trending", {"window": "day"}),
    ("movies:movie-trending", {"window": "week"}),
    ("movies:movie-now-playing", {}),
    ("movies:movie-upcoming", {}),
    ("movies:genre-list", {}),
)


def hot_urls() -> list[tuple[str, dict]]:
    """The lists every visitor sees first, then the details of the most popular movies."""
    urls = [(reverse(name), params) for name, params in LIST_ROUTES]
    top = Movie.objects.popular_movies(settings.WARM_CACHE_DETAIL_COUNT).values_list("tmdb_id", flat=True)
    urls += [(reverse("movies:movie-detail", kwargs={"tmdb_id": tmdb_id}), {}) for tmdb_id in top]
    return urls


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


def warm(run: SyncRun) -> None:
    urls = hot_urls()
    run.progress.grow(len(urls))
    if run.dry_run:
        for path, params in urls:
            run.note(f"would render {path}{_query(params)}")
        return
    client = Client(HTTP_HOST=_host(), raise_request_exception=False)
    for path, params in urls:
        run.renew_lock()
        response = client.get(path, params, HTTP_ACCEPT="application/json")
        outcome = _outcome(response)
        if outcome == Outcome.FAILED:
            run.note(f"{path}{_query(params)}: HTTP {response.status_code}")
        run.summary.count(outcome)
        run.progress.advance(path)


def _outcome(response) -> Outcome:
    if response.status_code >= 400:
        return Outcome.FAILED
    if response.headers.get("X-Cache", "").upper() in ("HIT", "STALE"):
        return Outcome.UNCHANGED
    return Outcome.CREATED


def _query(params: dict) -> str:
    return ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""
