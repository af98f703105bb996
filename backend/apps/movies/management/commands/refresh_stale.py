"""`manage.py refresh_stale --older-than 7d --limit N`: resync the movies synced longest ago."""

from datetime import timedelta

from django.conf import settings

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand, parse_duration, positive_int


class Command(SyncCommand):
    help = (
        "Resync movies not synced for --older-than (oldest first, at most --limit); movies that failed "
        "are retried once their back-off has passed. Exit 0 done, 1 some failed, 2 could not run."
    )
    job = "refresh_stale"

    def add_job_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=parse_duration,
            default=None,
            help="e.g. 7d, 12h (default SYNC_STALE_AFTER_DAYS, 7 days)",
        )
        parser.add_argument(
            "--limit", type=positive_int, default=500, help="at most this many movies (default 500)"
        )

    def work(self, run, **options):
        older_than = options["older_than"] or timedelta(days=settings.SYNC_STALE_AFTER_DAYS)
        jobs.refresh_stale(run, older_than=older_than, limit=options["limit"])
