"""CappedCountPaginator: exact below the cap, bounded above it, never a full-table count."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory
from core.adminsite.paginators import CappedCountPaginator

pytestmark = pytest.mark.django_db


def test_counts_exactly_below_the_cap(settings):
    # given
    settings.ADMIN_COUNT_CAP = 10
    MovieFactory.create_batch(4)
    # when
    paginator = CappedCountPaginator(Movie.objects.all(), 2)
    # then
    assert paginator.count == 4
    assert paginator.num_pages == 2


def test_stops_counting_at_the_cap_and_drops_the_sort(settings):
    # given
    settings.ADMIN_COUNT_CAP = 5
    MovieFactory.create_batch(8)
    paginator = CappedCountPaginator(Movie.objects.filter(is_active=True).order_by("-popularity"), 2)
    # when
    with CaptureQueriesContext(connection) as captured:
        count = paginator.count
    # then
    assert count == 6
    assert str(count) == "more than 5"
    sql = captured.captured_queries[0]["sql"].upper()
    assert "LIMIT 6" in sql
    assert "ORDER BY" not in sql


@pytest.mark.services
def test_on_postgresql_an_unfiltered_table_past_the_cap_reports_the_planners_estimate(settings):
    # given
    settings.ADMIN_COUNT_CAP = 5
    MovieFactory.create_batch(12)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE movies_movie")
    # when
    unfiltered = CappedCountPaginator(Movie.objects.all(), 2).count
    filtered = CappedCountPaginator(Movie.objects.filter(is_active=True), 2).count
    # then
    assert connection.vendor == "postgresql"
    assert unfiltered == 12
    assert str(unfiltered) == "~12"
    assert filtered == 6
    assert str(filtered) == "more than 5"


def test_the_changelist_shows_a_capped_count_as_a_lower_bound(admin_client, settings, monkeypatch):
    # given
    settings.ADMIN_COUNT_CAP = 3
    monkeypatch.setattr(type(admin.site._registry[Movie]), "list_per_page", 2)
    MovieFactory.create_batch(5, title="Same")
    # when
    response = admin_client.get("/admin/movies/movie/", {"q": "Same"})
    # then
    assert "more than 3 movies" in response.content.decode()
    assert len(response.context["cl"].result_list) == 2
    assert response.context["cl"].paginator.num_pages == 2
