"""`manage.py warm_cache`: render the hot anonymous catalog responses so the caches hold them."""

from apps.movies.sync import jobs
from apps.movies.sync.command import SyncCommand
from core.services.tmdb import get_client


class Command(SyncCommand):
    help = "Pre-render the hot catalog responses (lists, genres, top movie details). Exit 0 / 1 / 2."
    job = "warm_cache"
    require_tmdb = False

    def make_client(self):
        # The views call TMDb through the shared client; the run counts that client's calls.
        return get_client()

    def work(self, run, **options):
        jobs.warm_cache(run)
