"""A sync process killed with SIGKILL: what it synced stays synced, nothing is half-written, and
the next run takes over the dead holder's lock at once (same host) and finishes the job."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from tests.hardening.support.processes import wait_for_other_connections_to_end

from apps.movies.models import Movie, MovieGenre
from apps.movies.sync.models import SyncLock
from core.mixins.models import SyncStatus


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_run_loses_nothing_and_the_next_run_finishes(run_command, tmdb_double, tmp_path):
    # given 30 movies served slowly, and a sync process on the test database
    from testing.tmdb.double import API_KEY

    ids = [str(700 + n) for n in range(30)]
    for tmdb_id in ids:
        tmdb_double.add_movie(int(tmdb_id), genre_ids=[18, 35])
    tmdb_double.fail("movie/", status=200, delay=0.15, times=None)
    db_name = django_settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{db_name}",
        "TMDB_BASE_URL": tmdb_double.base_url,
        "TMDB_API_KEY": API_KEY,
        "SYNC_CONCURRENCY": "2",
    }
    log = (tmp_path / "sync.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sync_movie", *ids],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    # when it is killed after a few movies
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() < 5:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    wait_for_other_connections_to_end()

    # then every stored movie is whole, and the dead run's lock row is still there
    synced = list(Movie.objects.filter(sync_status=SyncStatus.COMPLETE))
    assert 5 <= len(synced) < 30, (tmp_path / "sync.log").read_text()
    for movie in synced:
        assert MovieGenre.objects.filter(movie=movie).count() == 2
        assert movie.metadata["credits"]["cast"]
    assert SyncLock.objects.filter(pid=process.pid).exists()

    # and the next run takes the lock over at once and finishes the job
    tmdb_double.clear_faults()
    result = run_command("sync_movie", *ids)
    assert result.code == 0, result.err
    assert result.summary["unchanged"] == len(synced)
    assert Movie.objects.filter(sync_status=SyncStatus.COMPLETE).count() == 30
    assert not SyncLock.objects.exists()
