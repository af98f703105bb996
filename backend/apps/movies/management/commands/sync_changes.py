"""`manage.py sync_changes [--since YYYY-MM-DD]`: refetch the movies we hold that TMDb says changed."""

from datetime import date

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand


class Command(SyncCommand):
    help = (
        "Incremental sync through TMDb /movie/changes (windows of at most 14 days, paged); resumes from "
        "the last completed point stored in the database and catches up window by window however old it "
        "is. Exit 0 done, 1 some failed, 2 could not run."
    )
    job = "sync_changes"

    def add_job_arguments(self, parser):
        parser.add_argument(
            "--since", type=date.fromisoformat, default=None, help="start date (default: the stored point)"
        )

    def work(self, run, **options):
        jobs.sync_changes(run, since=options["since"])
