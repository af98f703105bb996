"""warm_cache: renders the hot catalog URLs through the whole stack; works without TMDb credentials."""

import pytest

from apps.movies.sync.warming import hot_urls
from apps.movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def test_warm_cache_renders_every_hot_url(run_command, settings):
    # given a local catalog and no TMDb credentials at all
    settings.WARM_CACHE_DETAIL_COUNT = 3
    MovieFactory.create_batch(5)
    expected = len(hot_urls())

    # when
    result = run_command("warm_cache")

    # then
    assert result.code == 0, result.err
    summary = result.summary
    assert summary["created"] + summary["unchanged"] == expected == 8 + 3
    assert summary["failed"] == 0


def test_warm_cache_dry_run_lists_the_urls_only(run_command, settings):
    # given
    settings.WARM_CACHE_DETAIL_COUNT = 1
    movie = MovieFactory()

    # when
    result = run_command("warm_cache", "--dry-run")

    # then
    assert result.code == 0
    assert f"would render /api/v1/movies/{movie.tmdb_id}/" in result.err
    assert result.summary["created"] == 0


def test_warm_cache_reports_broken_urls(run_command, settings, monkeypatch):
    # given a view that fails
    from apps.movies import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.GenreListView, "get", broken)

    # when
    result = run_command("warm_cache")

    # then
    assert result.code == 1
    assert "/api/v1/genres/: HTTP 500" in result.err
