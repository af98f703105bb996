"""A real, unmodified TMDb client from PyPI (tmdbsimple) pointed at the mirror over HTTP: its scripted
walk through configuration, popular, details with appends, search, discover, changes and find."""

from __future__ import annotations

import pytest
import tmdbsimple

from apps.tmdbcompat.apikeys import ApiKeyService
from testing.tmdb.catalog import seed_catalog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tmdb(live_server, tmdb_double, monkeypatch):
    """tmdbsimple configured as its users do (module-level key), plus the one base-URL override."""
    catalog = seed_catalog(tmdb_double, movies=40)
    tmdb_double.set_list("changes", catalog.popular(5))
    _, raw = ApiKeyService.create(name="tmdbsimple")
    monkeypatch.setattr(tmdbsimple, "API_KEY", raw)
    monkeypatch.setattr(tmdbsimple, "REQUESTS_TIMEOUT", 10)
    base = f"{live_server.url}/tmdb/3"

    def point(resource):
        resource.base_uri = base  # where TMDb's host would be: the only thing a user changes
        return resource

    return point, catalog, tmdb_double


@pytest.mark.parametrize("bearer", [False, True])
def test_tmdbsimple_walks_the_mirror(tmdb, monkeypatch, bearer):
    point, catalog, double = tmdb
    monkeypatch.setattr(tmdbsimple, "USE_BEARER_AUTH", bearer)
    top = next(tmdb_id for tmdb_id in catalog.popular(20) if double.movies[tmdb_id]["imdb_id"])

    configuration = point(tmdbsimple.Configuration()).info()
    assert configuration["images"]["secure_base_url"].startswith("https://")

    popular = point(tmdbsimple.Movies()).popular(page=1)
    assert [movie["id"] for movie in popular["results"]] == catalog.popular(20)
    assert popular["total_results"] == 40

    movie = point(tmdbsimple.Movies(top))
    details = movie.info(append_to_response="credits,videos,keywords,external_ids,recommendations")
    assert details["id"] == top and movie.title == details["title"]  # tmdbsimple sets attributes
    assert details["credits"]["cast"][0]["name"] == "Lead Actor"
    assert details["recommendations"]["results"]
    assert details["external_ids"]["imdb_id"] == details["imdb_id"]

    search = point(tmdbsimple.Search())
    found = search.movie(query=f"Movie {top}")
    assert top in [result["id"] for result in found["results"]]
    assert search.total_results == found["total_results"]

    genre = catalog.genres[top][0]
    discovered = point(tmdbsimple.Discover()).movie(with_genres=str(genre), sort_by="popularity.desc")
    assert discovered["results"] and all(genre in item["genre_ids"] for item in discovered["results"])

    changed = point(tmdbsimple.Changes()).movie()
    assert top in [item["id"] for item in changed["results"]]

    by_imdb = point(tmdbsimple.Find(details["imdb_id"])).info(external_source="imdb_id")
    assert [item["id"] for item in by_imdb["movie_results"]] == [top]


def test_tmdbsimple_sees_tmdbs_errors(tmdb, monkeypatch):
    import requests

    point, _, _ = tmdb
    with pytest.raises(requests.HTTPError) as missing:
        point(tmdbsimple.Movies(999_999_999)).info()
    assert missing.value.response.json()["status_code"] == 34
    monkeypatch.setattr(tmdbsimple, "API_KEY", "revoked-or-never-issued")
    with pytest.raises(requests.HTTPError) as refused:
        point(tmdbsimple.Configuration()).info()
    assert refused.value.response.status_code == 401
    assert refused.value.response.json()["status_code"] == 7
