"""Freshness gauges, computed when /metrics is scraped: how old the changes point is, how many rows are stale."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from .jobs import CHANGES_STATE, stale_queryset
from .models import SyncState

logger = logging.getLogger("apps.movies.sync")

CHANGES_POINT_AGE = "movie_nexus_sync_changes_point_age_seconds"
STALE_MOVIES = "movie_nexus_catalog_stale_movies"


def changes_point_age(now) -> float:
    """Seconds since the stored `sync_changes` point; +Inf when none is stored (never completed)."""
    point = (
        SyncState.objects.filter(name=CHANGES_STATE, last_completed_at__isnull=False)
        .values_list("last_completed_at", flat=True)
        .first()
    )
    return math.inf if point is None else max(0.0, (now - point).total_seconds())


def stale_movie_count(now) -> int:
    """The rows `refresh_stale` would pick with the default refresh age (SYNC_STALE_AFTER_DAYS), all of them."""
    return stale_queryset(older_than=timedelta(days=settings.SYNC_STALE_AFTER_DAYS), now=now).count()


class FreshnessCollector:
    """Two gauges, one query each; with the database down the scrape still answers, without them."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        try:
            age, stale = changes_point_age(now), stale_movie_count(now)
        except DatabaseError as exc:
            logger.warning("freshness gauges skipped: the database is unavailable (%s)", exc)
            return
        yield GaugeMetricFamily(
            CHANGES_POINT_AGE,
            "Seconds since the point sync_changes resumes from (movies_sync_state); +Inf if none is stored.",
            value=age,
        )
        yield GaugeMetricFamily(
            STALE_MOVIES,
            "Active movies past their refresh age (SYNC_STALE_AFTER_DAYS) or failed and due for a retry.",
            value=stale,
        )
