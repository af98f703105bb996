"""`manage.py sync_movie ID [ID …]`: the given movies, synced in full from TMDb."""

import hashlib

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand, positive_int


class Command(SyncCommand):
    help = "Sync movies by TMDb id. Exit 0 done, 1 some failed (recorded on the row), 2 could not run."
    job = "sync_movie"

    def add_job_arguments(self, parser):
        parser.add_argument("tmdb_ids", nargs="+", type=positive_int, metavar="ID")

    def lock_name(self, **options):
        # The same id set may not run twice at once; different sets may.
        ids = ",".join(str(i) for i in sorted(set(options["tmdb_ids"])))
        return f"sync_movie:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"

    def work(self, run, **options):
        jobs.sync_movie(run, tmdb_ids=options["tmdb_ids"])
