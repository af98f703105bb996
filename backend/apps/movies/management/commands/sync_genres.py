"""`manage.py sync_genres`: TMDb's movie genre list, upserted by tmdb_id."""

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand


class Command(SyncCommand):
    help = "Sync TMDb's movie genres. Idempotent; exit 0 done, 1 some failed, 2 could not run."
    job = "sync_genres"

    def work(self, run, **options):
        jobs.sync_genres(run)
