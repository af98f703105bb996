"""/metrics freshness gauges: the age of the sync_changes point and the rows past their refresh age."""

import math
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError
from prometheus_client.parser import text_string_to_metric_families

from apps.movies.sync import freshness
from apps.movies.sync.jobs import CHANGES_STATE, stale_movies
from apps.movies.sync.models import SyncState
from apps.movies.tests.factories import MovieFactory
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOKEN = "freshness-scrape-token"


@pytest.fixture
def scrape(api_client, settings):
    """GET /metrics at NOW (a frozen clock) → {sample name: value}."""
    settings.METRICS_TOKEN = TOKEN

    def run() -> dict[str, float]:
        with time_machine.travel(NOW, tick=False):
            response = api_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        families = text_string_to_metric_families(response.content.decode())
        return {sample.name: sample.value for family in families for sample in family.samples}

    return run


def _movie(*, synced_days_ago: float | None, **fields):
    synced = None if synced_days_ago is None else NOW - timedelta(days=synced_days_ago)
    return MovieFactory(
        last_synced_at=synced, sync_status=fields.pop("sync_status", SyncStatus.COMPLETE), **fields
    )


def test_the_changes_point_age_is_seconds_since_the_stored_point(scrape):
    # given
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOW - timedelta(days=3, hours=2))

    # when
    samples = scrape()

    # then
    assert samples[freshness.CHANGES_POINT_AGE] == (3 * 24 + 2) * 3600


def test_without_a_stored_point_the_age_is_infinite(scrape):
    # given a run that failed before completing a window: its state row has no point
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=None, last_summary="exit=1")

    # when
    samples = scrape()

    # then
    assert math.isinf(samples[freshness.CHANGES_POINT_AGE])


def _seed_catalog() -> None:
    _movie(synced_days_ago=30)  # stale
    _movie(synced_days_ago=None, sync_status=SyncStatus.PARTIAL)  # never synced in full
    _movie(synced_days_ago=1)  # fresh
    _movie(synced_days_ago=10)  # stale at 7 days, fresh at 14
    _movie(synced_days_ago=30, is_active=False)  # inactive: not counted
    _movie(synced_days_ago=30, sync_status=SyncStatus.GONE)  # gone a month: due to be checked again
    _movie(synced_days_ago=1, sync_status=SyncStatus.GONE, is_active=False)  # gone, checked lately
    _movie(  # failed, back-off still running: not due
        synced_days_ago=1, sync_status=SyncStatus.FAILED, next_sync_attempt_at=NOW + timedelta(hours=1)
    )
    _movie(  # failed and due
        synced_days_ago=1, sync_status=SyncStatus.FAILED, next_sync_attempt_at=NOW - timedelta(hours=1)
    )


def test_stale_movies_are_what_refresh_stale_would_pick(scrape, settings):
    # given
    settings.SYNC_STALE_AFTER_DAYS = 7
    _seed_catalog()

    # when
    samples = scrape()

    # then
    assert samples[freshness.STALE_MOVIES] == 5
    with time_machine.travel(NOW, tick=False):
        assert len(stale_movies(older_than=timedelta(days=7), limit=100)) == 5


def test_the_refresh_age_comes_from_the_setting(scrape, settings):
    # given
    settings.SYNC_STALE_AFTER_DAYS = 14
    _seed_catalog()

    # when
    samples = scrape()

    # then the movie synced 10 days ago is no longer stale
    assert samples[freshness.STALE_MOVIES] == 4


def test_the_gauges_are_there_in_multiprocess_mode(scrape, monkeypatch, tmp_path):
    # given the deployment's mode: /metrics sums the workers' files
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    SyncState.objects.create(name=CHANGES_STATE, last_completed_at=NOW - timedelta(hours=1))
    _movie(synced_days_ago=30)

    # when
    samples = scrape()

    # then
    assert samples[freshness.CHANGES_POINT_AGE] == 3600
    assert samples[freshness.STALE_MOVIES] == 1


def test_a_database_error_leaves_the_gauges_out_and_the_scrape_up(scrape, monkeypatch):
    # given
    def broken(now):
        raise OperationalError("connection refused")

    monkeypatch.setattr(freshness, "stale_movie_count", broken)

    # when
    samples = scrape()

    # then
    assert freshness.STALE_MOVIES not in samples
    assert freshness.CHANGES_POINT_AGE not in samples
    assert samples  # the recorded metrics are still served
