"""`manage.py sync_movies --list popular --pages N`: every movie on a TMDb list, synced in full."""

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand, positive_int


class Command(SyncCommand):
    help = (
        "Sync the movies of a TMDb list (full details, one upstream call each). "
        "Exit 0 done, 1 some failed, 2 could not run."
    )
    job = "sync_movies"

    def add_job_arguments(self, parser):
        parser.add_argument("--list", dest="list_name", required=True, choices=jobs.LISTS)
        parser.add_argument("--window", choices=jobs.TRENDING_WINDOWS, default="day", help="trending only")
        parser.add_argument("--pages", type=positive_int, default=1, help="pages of 20 movies (default 1)")

    def lock_name(self, **options):
        suffix = f"_{options['window']}" if options["list_name"] == "trending" else ""
        return f"sync_movies:{options['list_name']}{suffix}"

    def work(self, run, **options):
        jobs.sync_movies(
            run, list_name=options["list_name"], pages=options["pages"], window=options["window"]
        )
